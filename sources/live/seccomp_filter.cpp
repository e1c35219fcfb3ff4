#include "sources/live/seccomp_filter.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "base/unique_fd.h"
#include "model/syscall_table.h"

namespace sctrace {

namespace {

struct ContextDeleter {
    void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};
using Context = std::unique_ptr<void, ContextDeleter>;

void check(int rc, const std::string& what) {
    if (rc < 0) {
        throw std::runtime_error("seccomp filter: " + what + ": " + std::strerror(-rc));
    }
}

}  // namespace

SeccompProgram SeccompProgram::build(const SyscallSet& traced,
                                     const std::vector<NarrowedCall>& narrowed) {
    return compile(traced, narrowed, SCMP_ACT_TRACE(kSeccompTraceData));
}

SeccompProgram SeccompProgram::build_notify(const SyscallSet& traced,
                                            const std::vector<NarrowedCall>& narrowed,
                                            int handshake_fd) {
    SeccompProgram program = compile(traced, narrowed, SCMP_ACT_NOTIFY);
    // In front of libseccomp's program, which starts by loading the
    // architecture itself: jumps are relative and only go forward, so its
    // own stay right. Each test that fails falls through to it (index 9).
    const auto low_word = [](std::size_t offset) {
        return static_cast<std::uint32_t>(offset);  // little-endian: the low half first
    };
    const std::vector<sock_filter> handshake = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, low_word(offsetof(seccomp_data, arch))),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 0, 7),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, low_word(offsetof(seccomp_data, nr))),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_sendmsg, 0, 5),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, low_word(offsetof(seccomp_data, args[0]))),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<std::uint32_t>(handshake_fd), 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, low_word(offsetof(seccomp_data, args[2]))),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kNotifyHandshakeFlags, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    program.instructions_.insert(program.instructions_.begin(), handshake.begin(), handshake.end());
    if (program.instructions_.size() > BPF_MAXINSNS) {
        throw std::runtime_error("seccomp filter: too many instructions");
    }
    program.point_at_instructions();
    return program;
}

SeccompProgram SeccompProgram::compile(const SyscallSet& traced,
                                       const std::vector<NarrowedCall>& narrowed,
                                       std::uint32_t action) {
    Context ctx(seccomp_init(SCMP_ACT_ALLOW));
    if (!ctx) throw std::runtime_error("seccomp filter: seccomp_init failed");
    // Programs can call through the i386 and x32 ABIs too; trace those calls
    // as well rather than letting them slip past (or be killed as "bad arch").
    for (const std::uint32_t arch : {SCMP_ARCH_X86, SCMP_ARCH_X32}) {
        const int rc = seccomp_arch_add(ctx.get(), arch);
        if (rc != -EEXIST) check(rc, "adding an architecture");
    }
    // Names, not numbers: libseccomp maps each to every ABI's own number, and
    // the i386-only calls (socketcall, _llseek ...) come from the i386 list.
    std::vector<std::string_view> names = traced.names(Arch::X86_64);
    for (const std::string_view name : traced.names(Arch::I386)) names.push_back(name);
    for (const std::string_view name : names) {
        const std::string name_z(name);
        const int nr = seccomp_syscall_resolve_name(name_z.c_str());
        if (nr == __NR_SCMP_ERROR) continue;  // unknown to this libseccomp: cannot filter it
        // A name missing on one ABI (e.g. no socketcall on x86_64) is fine:
        // libseccomp skips what an architecture lacks with -EDOM / -EINVAL.
        const auto added = [&name_z](int rc) {
            if (rc < 0 && rc != -EDOM && rc != -EINVAL && rc != -EEXIST) {
                check(rc, "adding " + name_z);
            }
        };
        const auto narrow = std::find_if(narrowed.begin(), narrowed.end(), [&](const auto& n) {
            const SyscallInfo* info = syscall_info(Arch::X86_64, n.x86_64_nr);
            return info && info->name == name;
        });
        if (narrow == narrowed.end()) {
            added(seccomp_rule_add(ctx.get(), action, nr, 0));
            continue;
        }
        // One rule per value: libseccomp stops the call when any matches.
        for (const std::uint32_t value : narrow->values) {
            const scmp_arg_cmp cmp{static_cast<unsigned int>(narrow->arg), SCMP_CMP_MASKED_EQ,
                                   0xffffffffu, value};
            added(seccomp_rule_add_array(ctx.get(), action, nr, 1, &cmp));
        }
    }
    // libseccomp 2.5 exports only to a file descriptor; a memfd keeps it in memory.
    UniqueFd fd(static_cast<int>(::syscall(SYS_memfd_create, "sctrace-bpf", MFD_CLOEXEC)));
    if (!fd) throw std::runtime_error("seccomp filter: memfd_create failed");
    check(seccomp_export_bpf(ctx.get(), fd.get()), "exporting BPF");
    const off_t size = ::lseek(fd.get(), 0, SEEK_END);
    if (size <= 0 || size % sizeof(sock_filter) != 0) {
        throw std::runtime_error("seccomp filter: unexpected BPF size");
    }
    SeccompProgram program;
    program.instructions_.resize(static_cast<std::size_t>(size) / sizeof(sock_filter));
    if (::pread(fd.get(), program.instructions_.data(), static_cast<std::size_t>(size), 0) !=
        size) {
        throw std::runtime_error("seccomp filter: reading exported BPF failed");
    }
    program.point_at_instructions();
    return program;
}

void SeccompProgram::point_at_instructions() {
    fprog_.len = static_cast<unsigned short>(instructions_.size());
    fprog_.filter = instructions_.data();
}

SeccompProgram::SeccompProgram(SeccompProgram&& other) noexcept
    : instructions_(std::move(other.instructions_)) {
    point_at_instructions();
}

SeccompProgram& SeccompProgram::operator=(SeccompProgram&& other) noexcept {
    instructions_ = std::move(other.instructions_);
    point_at_instructions();
    return *this;
}

int install_notify_program(const sock_fprog* program, bool set_no_new_privs) {
    if (set_no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -errno;
    const long fd =
        ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, program);
    return fd < 0 ? -errno : static_cast<int>(fd);
}

int install_seccomp_program(const sock_fprog* program, bool set_no_new_privs) {
    if (set_no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return errno;
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, program) != 0) return errno;
    return 0;
}

}  // namespace sctrace
