// The decoder registry: which family decodes which syscall.
#include "decoders/decoder.h"

#include <signal.h>
#include <time.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <vector>

#include "model/syscall_table.h"
#include "model/xlat_tables.h"

namespace sctrace {

namespace {

// Per-ABI arrays indexed by syscall number, built once from the families'
// tables by name. Immutable after construction.
class Registry {
public:
    Registry() {
        const std::span<const SyscallDecoder> families[] = {
            net_decoders(),      desc_decoders(),   poll_decoders(),    futex_decoders(),
            io_uring_decoders(), signal_decoders(), process_decoders(), file_decoders(),
            stat_decoders(),     mem_decoders(),    time_decoders(),    resource_decoders(),
            creds_decoders(),    prctl_decoders(),  ioctl_decoders(),
        };
        for (const Arch arch : {Arch::X86_64, Arch::I386}) {
            auto& table = by_arch(arch);
            table.assign(static_cast<std::size_t>(syscall_table_size(arch)), nullptr);
            for (const auto& family : families) {
                for (const SyscallDecoder& decoder : family) {
                    if (const auto nr = syscall_number(arch, decoder.name)) {
                        table[static_cast<std::size_t>(*nr)] = &decoder;
                    }
                }
            }
        }
    }

    const SyscallDecoder* find(Arch arch, std::int64_t nr) const {
        if (arch == Arch::X32) {
            const SyscallInfo* info = syscall_info(arch, nr);
            if (!info) return nullptr;
            const auto native = syscall_number(Arch::X86_64, info->name);
            return native ? find(Arch::X86_64, *native) : nullptr;
        }
        if (arch != Arch::X86_64 && arch != Arch::I386) return nullptr;
        const auto& table = arch == Arch::X86_64 ? x86_64_ : i386_;
        if (nr < 0 || nr >= static_cast<std::int64_t>(table.size())) return nullptr;
        return table[static_cast<std::size_t>(nr)];
    }

private:
    std::vector<const SyscallDecoder*>& by_arch(Arch arch) {
        return arch == Arch::X86_64 ? x86_64_ : i386_;
    }
    std::vector<const SyscallDecoder*> x86_64_;
    std::vector<const SyscallDecoder*> i386_;
};

const Registry& registry() {
    static const Registry instance;
    return instance;
}

// strace's printargs for calls without a decoder: every argument in hex.
void decode_raw(DecodeContext& ctx) {
    const SyscallInfo* info = syscall_info(ctx.arch(), ctx.call().nr);
    const int nargs = info ? info->nargs : 6;
    for (int i = 0; i < nargs; ++i) ctx.tree().add_hex(ctx.root(), ctx.arg(i));
}

int expected_args(const SyscallEvent& call) {
    const SyscallInfo* info = syscall_info(call.arch, call.nr);
    return info ? info->nargs : 6;
}

}  // namespace

const SyscallDecoder* find_decoder(Arch arch, std::int64_t nr) {
    return registry().find(arch, nr);
}

void decode_entry(const SyscallEvent& call, ArgTree& tree, MemoryReader& memory,
                  const DecodeOptions& options) {
    tree.clear();
    DecodeContext ctx(call, tree, memory, options, false);
    const SyscallDecoder* decoder = find_decoder(call.arch, call.nr);
    if (!decoder) {
        decode_raw(ctx);
    } else if (decoder->entry) {
        decoder->entry(ctx);
    }
    const std::size_t n = tree.child_count(tree.root());
    tree.entry_arg_count = static_cast<std::uint16_t>(n);
    // A decoder may declare its list complete itself (calls whose later
    // arguments are optional, like fcntl(fd, F_GETFL)).
    tree.entry_complete = tree.entry_complete || !decoder || !decoder->exit ||
                          n >= static_cast<std::size_t>(expected_args(call));
}

bool DescriptorSet::contains(int fd) const {
    return std::binary_search(fds.begin(), fds.end(), fd) != inverted;
}

FdText DecodeContext::fd_text(int fd) {
    if ((!options_.fd_paths && options_.fd_details == 0) || fd < 0) return {};
    char path[4096];
    std::size_t n = memory_.fd_path(fd, path);
    if (n == 0) return {};
    if (options_.fd_details != 0) {
        // The device's path, a NUL, its numbers: room for both.
        char details[4096 + 64];
        FdDecoration decoration = FdDecoration::Details;
        const std::size_t m =
            memory_.fd_details(fd, {path, n}, options_.fd_details,
                               std::span<char>(details).subspan(n + 1), decoration);
        if (m != 0 && decoration == FdDecoration::Device) {
            // readlink's " (deleted)" is no part of a device's name.
            constexpr std::string_view kDeleted = " (deleted)";
            if (std::string_view(path, n).ends_with(kDeleted)) {
                std::memmove(details + n - kDeleted.size() + 1, details + n + 1, m);
                n -= kDeleted.size();
            }
            std::memcpy(details, path, n);
            details[n] = '\0';
            return {tree_.store({details, n + 1 + m}), decoration};
        }
        if (m != 0) return {tree_.store({details + n + 1, m}), decoration};
    }
    // A path only -P asked for is kept for matching; the writer shows it
    // only with -y.
    return {tree_.store({path, n}), FdDecoration::Path};
}

std::string_view DecodeContext::pid_in_tracer_namespace(std::int64_t pid, PidKind kind) {
    if (!options_.pidns_translation || pid <= 0 || pid > INT32_MAX) return {};
    const pid_t ours = memory_.pid_in_tracer_namespace(static_cast<pid_t>(pid), kind);
    if (ours == 0 || ours == pid) return {};
    char text[16];
    const int n = std::snprintf(text, sizeof text, "%d", static_cast<int>(ours));
    return tree_.store({text, static_cast<std::size_t>(n)});
}

std::string_view DecodeContext::cwd_path() {
    if (!options_.fd_paths) return {};
    char path[4096];
    const std::size_t n = memory_.cwd_path(path);
    return n ? tree_.store({path, n}) : std::string_view{};
}

void decode_exit(const SyscallEvent& call, ArgTree& tree, MemoryReader& memory,
                 const DecodeOptions& options) {
    // A call that returns a descriptor shows what it names with -y.
    if ((options.fd_paths || options.fd_details != 0) && call.err == 0 && call.ret >= 0 &&
        call.ret <= INT32_MAX) {
        const SyscallInfo* info = syscall_info(call.arch, call.nr);
        if (info && (info->traits.has(kTraitCreatesFd) || info->traits.has(kTraitDupsFd))) {
            DecodeContext ctx(call, tree, memory, options, true);
            const FdText text = ctx.fd_text(static_cast<int>(call.ret));
            tree.ret_text = text.text;
            tree.ret_decoration = text.decoration;
        }
    }
    const SyscallDecoder* decoder = find_decoder(call.arch, call.nr);
    if (decoder && decoder->exit) {
        DecodeContext ctx(call, tree, memory, options, true);
        decoder->exit(ctx);
    }
    if (!options.dump_reads.empty() || !options.dump_writes.empty()) {
        add_io_dump(call, tree, memory, options);
    }
}

}  // namespace sctrace
