// The generated syscall tables: numbers, names, argument counts and classes
// for x86_64, i386 and x32, checked against known facts (kernel headers,
// strace 6.1's tables).
#include "model/syscall_table.h"

#include <asm/unistd_64.h>
#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>

namespace sctrace {
namespace {

TEST(SyscallTable, KnownNumbersOnBothAbis) {
    EXPECT_EQ(syscall_number(Arch::X86_64, "connect"), 42);
    EXPECT_EQ(syscall_number(Arch::I386, "connect"), 362);
    EXPECT_EQ(syscall_number(Arch::X86_64, "read"), 0);
    EXPECT_EQ(syscall_number(Arch::I386, "read"), 3);
    EXPECT_EQ(syscall_number(Arch::X86_64, "close"), 3);
    EXPECT_EQ(syscall_number(Arch::I386, "close"), 6);
    EXPECT_EQ(syscall_number(Arch::I386, "_llseek"), 140);
    EXPECT_EQ(syscall_number(Arch::I386, "socketcall"), 102);
}

TEST(SyscallTable, AgreesWithKernelHeader) {
    // The build machine's <asm/unistd_64.h> is an independent source.
    EXPECT_EQ(syscall_number(Arch::X86_64, "openat"), __NR_openat);
    EXPECT_EQ(syscall_number(Arch::X86_64, "epoll_wait"), __NR_epoll_wait);
    EXPECT_EQ(syscall_number(Arch::X86_64, "io_uring_enter"), __NR_io_uring_enter);
    EXPECT_EQ(syscall_number(Arch::X86_64, "clone3"), __NR_clone3);
    EXPECT_EQ(syscall_number(Arch::X86_64, "futex_waitv"), __NR_futex_waitv);
    EXPECT_EQ(syscall_number(Arch::X86_64, "newfstatat"), __NR_newfstatat);
}

TEST(SyscallTable, InfoByNumber) {
    const SyscallInfo* connect = syscall_info(Arch::X86_64, 42);
    ASSERT_NE(connect, nullptr);
    EXPECT_EQ(connect->name, "connect");
    EXPECT_EQ(connect->nargs, 3);
    EXPECT_EQ(connect->classes, kClassNet);

    const SyscallInfo* i386_connect = syscall_info(Arch::I386, 362);
    ASSERT_NE(i386_connect, nullptr);
    EXPECT_EQ(i386_connect->name, "connect");

    const SyscallInfo* mmap = syscall_info(Arch::X86_64, 9);
    ASSERT_NE(mmap, nullptr);
    EXPECT_EQ(mmap->nargs, 6);
    EXPECT_EQ(mmap->classes, kClassDesc | kClassMemory);
}

TEST(SyscallTable, SyscallsNewerThanStrace61) {
    for (Arch arch : {Arch::X86_64, Arch::I386}) {
        SCOPED_TRACE(std::string(arch_name(arch)));
        EXPECT_EQ(syscall_number(arch, "cachestat"), 451);
        EXPECT_EQ(syscall_number(arch, "fchmodat2"), 452);
        EXPECT_EQ(syscall_number(arch, "map_shadow_stack"), 453);
        EXPECT_EQ(syscall_number(arch, "futex_wake"), 454);
        EXPECT_EQ(syscall_number(arch, "futex_wait"), 455);
        EXPECT_EQ(syscall_number(arch, "futex_requeue"), 456);
        EXPECT_EQ(syscall_number(arch, "statmount"), 457);
        EXPECT_EQ(syscall_number(arch, "listmount"), 458);
        EXPECT_EQ(syscall_number(arch, "lsm_get_self_attr"), 459);
        EXPECT_EQ(syscall_number(arch, "lsm_list_modules"), 461);
        const SyscallInfo* mseal = syscall_info(arch, 462);
        ASSERT_NE(mseal, nullptr);
        EXPECT_EQ(mseal->name, "mseal");
        EXPECT_EQ(mseal->classes, kClassMemory);
        EXPECT_EQ(syscall_table_size(arch), 463);
    }
}

TEST(SyscallTable, HolesAndOutOfRangeAreUnknown) {
    EXPECT_EQ(syscall_info(Arch::X86_64, 335), nullptr);  // 335-423 are reserved
    EXPECT_EQ(syscall_info(Arch::X86_64, 423), nullptr);
    EXPECT_NE(syscall_info(Arch::X86_64, 424), nullptr);  // pidfd_send_signal
    EXPECT_EQ(syscall_info(Arch::I386, 222), nullptr);
    EXPECT_EQ(syscall_info(Arch::X86_64, -1), nullptr);
    EXPECT_EQ(syscall_info(Arch::X86_64, 463), nullptr);
    EXPECT_EQ(syscall_info(Arch::X86_64, INT64_MAX), nullptr);
    EXPECT_EQ(syscall_info(Arch::I386, INT64_MIN), nullptr);
    EXPECT_EQ(syscall_info(Arch::Unknown, 0), nullptr);
    EXPECT_EQ(syscall_number(Arch::X86_64, "conect"), std::nullopt);
    EXPECT_EQ(syscall_number(Arch::X86_64, ""), std::nullopt);
    EXPECT_EQ(syscall_number(Arch::X86_64, "_llseek"), std::nullopt);  // i386 only
    EXPECT_EQ(syscall_number(Arch::Unknown, "read"), std::nullopt);
    EXPECT_EQ(syscall_table_size(Arch::Unknown), 0);
}

// strace 6.1's classes for calls the rule pack and -e trace= users care about.
TEST(SyscallTable, ClassesMatchStrace) {
    auto classes = [](Arch arch, std::string_view name) -> std::uint32_t {
        auto nr = syscall_number(arch, name);
        EXPECT_TRUE(nr.has_value()) << name;
        return nr ? syscall_info(arch, *nr)->classes : 0;
    };
    EXPECT_EQ(classes(Arch::X86_64, "socket"), kClassNet);
    EXPECT_EQ(classes(Arch::X86_64, "accept4"), kClassNet);
    EXPECT_EQ(classes(Arch::X86_64, "sendfile"), kClassDesc | kClassNet);
    EXPECT_EQ(classes(Arch::X86_64, "close"), kClassDesc);
    EXPECT_EQ(classes(Arch::X86_64, "close_range"), 0u);  // not %desc in strace
    EXPECT_EQ(classes(Arch::X86_64, "epoll_wait"), kClassDesc);
    EXPECT_EQ(classes(Arch::X86_64, "io_uring_enter"), kClassDesc | kClassSignal);
    EXPECT_EQ(classes(Arch::X86_64, "futex"), 0u);
    EXPECT_EQ(classes(Arch::X86_64, "openat"), kClassFile | kClassDesc);
    EXPECT_EQ(classes(Arch::X86_64, "execve"), kClassFile | kClassProcess);
    EXPECT_EQ(classes(Arch::X86_64, "execveat"), kClassFile | kClassDesc | kClassProcess);
    EXPECT_EQ(classes(Arch::X86_64, "kill"), kClassProcess | kClassSignal);
    EXPECT_EQ(classes(Arch::X86_64, "shmat"), kClassIpc | kClassMemory);
    EXPECT_EQ(classes(Arch::X86_64, "getpid"), kClassPure);
    EXPECT_EQ(classes(Arch::X86_64, "getuid"), kClassCreds | kClassPure);
    EXPECT_EQ(classes(Arch::X86_64, "setuid"), kClassCreds);
    EXPECT_EQ(classes(Arch::X86_64, "clock_gettime"), kClassClock);
    EXPECT_EQ(classes(Arch::X86_64, "stat"), kClassFile | kClassStat | kClassStatLike);
    EXPECT_EQ(classes(Arch::X86_64, "lstat"), kClassFile | kClassLstat | kClassStatLike);
    EXPECT_EQ(classes(Arch::X86_64, "fstat"), kClassDesc | kClassFstat | kClassStatLike);
    EXPECT_EQ(classes(Arch::X86_64, "newfstatat"),
              kClassFile | kClassDesc | kClassFstat | kClassStatLike);
    EXPECT_EQ(classes(Arch::X86_64, "statfs"), kClassFile | kClassStatfs | kClassStatfsLike);
    EXPECT_EQ(classes(Arch::X86_64, "fstatfs"), kClassDesc | kClassFstatfs | kClassStatfsLike);
    EXPECT_EQ(classes(Arch::X86_64, "ustat"), kClassStatfsLike);
    EXPECT_EQ(classes(Arch::I386, "mmap2"), kClassDesc | kClassMemory);
    EXPECT_EQ(classes(Arch::I386, "fstat64"), kClassDesc | kClassFstat | kClassStatLike);
    EXPECT_EQ(classes(Arch::I386, "_llseek"), kClassDesc);
    EXPECT_EQ(classes(Arch::I386, "ipc"), kClassIpc);
}

TEST(SyscallTable, ArgumentCounts) {
    EXPECT_EQ(syscall_info(Arch::X86_64, *syscall_number(Arch::X86_64, "getpid"))->nargs, 0);
    EXPECT_EQ(syscall_info(Arch::X86_64, *syscall_number(Arch::X86_64, "futex"))->nargs, 6);
    EXPECT_EQ(syscall_info(Arch::X86_64, *syscall_number(Arch::X86_64, "clone"))->nargs, 5);
    EXPECT_EQ(syscall_info(Arch::X86_64, *syscall_number(Arch::X86_64, "epoll_pwait"))->nargs, 6);
    EXPECT_EQ(syscall_info(Arch::I386, *syscall_number(Arch::I386, "_llseek"))->nargs, 5);
    EXPECT_EQ(syscall_info(Arch::I386, *syscall_number(Arch::I386, "socketcall"))->nargs, 2);
}

// Every entry of both tables: unique names that round-trip through the
// by-name index, and sane argument counts.
TEST(SyscallTable, EveryEntryRoundTrips) {
    for (Arch arch : {Arch::X86_64, Arch::I386}) {
        SCOPED_TRACE(std::string(arch_name(arch)));
        std::set<std::string_view> names;
        int known = 0;
        for (int nr = 0; nr < syscall_table_size(arch); ++nr) {
            const SyscallInfo* info = syscall_info(arch, nr);
            if (!info) continue;
            ++known;
            EXPECT_FALSE(info->name.empty());
            EXPECT_LE(info->nargs, 6) << info->name;
            EXPECT_TRUE(names.insert(info->name).second) << "duplicate " << info->name;
            EXPECT_EQ(syscall_number(arch, info->name), nr) << info->name;
        }
        // The kernel headers' 362 and 440 calls, plus 451-462.
        EXPECT_EQ(known, arch == Arch::X86_64 ? 374 : 452);
    }
}

TEST(SyscallTable, X32MapsOntoX86_64) {
    // Ordinary x32 calls use the x86_64 number plus the x32 bit.
    const SyscallInfo* connect = syscall_info(Arch::X32, kX32SyscallBit | 42);
    ASSERT_NE(connect, nullptr);
    EXPECT_EQ(connect->name, "connect");
    EXPECT_EQ(connect, syscall_info(Arch::X86_64, 42));
    EXPECT_EQ(syscall_info(Arch::X32, 42), connect);  // the bit is optional

    // 512-547 are x32's own entry points: same name, same info as x86_64's.
    const SyscallInfo* readv = syscall_info(Arch::X32, kX32SyscallBit | 515);
    ASSERT_NE(readv, nullptr);
    EXPECT_EQ(readv->name, "readv");
    EXPECT_EQ(readv, syscall_info(Arch::X86_64, 19));
    EXPECT_EQ(syscall_info(Arch::X32, kX32SyscallBit | 512)->name, "rt_sigaction");
    EXPECT_EQ(syscall_info(Arch::X32, kX32SyscallBit | 547)->name, "pwritev2");
    EXPECT_EQ(syscall_info(Arch::X32, kX32SyscallBit | 548), nullptr);
    EXPECT_EQ(syscall_info(Arch::X32, kX32SyscallBit | 500), nullptr);

    EXPECT_EQ(syscall_number(Arch::X32, "connect"), kX32SyscallBit | 42);
    EXPECT_EQ(syscall_number(Arch::X32, "readv"), kX32SyscallBit | 515);
    EXPECT_EQ(syscall_number(Arch::X32, "execveat"), kX32SyscallBit | 545);
    EXPECT_EQ(syscall_number(Arch::X32, "_llseek"), std::nullopt);
    EXPECT_EQ(syscall_table_size(Arch::X32), 548);
}

TEST(SyscallTable, NameOfKnownAndUnknownNumbers) {
    std::array<char, kSyscallNameScratchSize> scratch{};
    EXPECT_EQ(syscall_name(Arch::X86_64, 42, scratch), "connect");
    EXPECT_EQ(syscall_name(Arch::I386, 42, scratch), "pipe");
    EXPECT_EQ(syscall_name(Arch::X32, kX32SyscallBit | 515, scratch), "readv");
    // strace's spelling of unknown calls: syscall_%#lx.
    EXPECT_EQ(syscall_name(Arch::X86_64, 999, scratch), "syscall_0x3e7");
    EXPECT_EQ(syscall_name(Arch::X86_64, 0x1a2, scratch), "syscall_0x1a2");
    EXPECT_EQ(syscall_name(Arch::X86_64, 335, scratch), "syscall_0x14f");  // a hole
    EXPECT_EQ(syscall_name(Arch::I386, 222, scratch), "syscall_0xde");
    EXPECT_EQ(syscall_name(Arch::X86_64, -1, scratch), "syscall_0xffffffffffffffff");
    EXPECT_EQ(syscall_name(Arch::Unknown, 0, scratch), "syscall_0x0");
    // The result lives in the caller's scratch: no allocation.
    std::string_view unknown = syscall_name(Arch::X86_64, 999, scratch);
    EXPECT_EQ(unknown.data(), scratch.data());
}

TEST(SyscallTable, NameWithSmallScratchIsCutShort) {
    std::array<char, 9> small{};
    EXPECT_EQ(syscall_name(Arch::X86_64, 999, small), "syscall_0");
    EXPECT_EQ(syscall_name(Arch::X86_64, 999, std::span<char>()), "");
    // Known names never need the scratch.
    EXPECT_EQ(syscall_name(Arch::X86_64, 0, std::span<char>()), "read");
}

}  // namespace
}  // namespace sctrace
