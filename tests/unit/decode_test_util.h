// Decoders on synthetic input: a fake address space and one call in, strace's
// line out. No tracer, no tracee.
#pragma once

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "decoders/decoder.h"
#include "model/arg_tree.h"
#include "model/syscall_table.h"
#include "report/strace_format.h"

namespace sctrace::testing {

// Memory made of byte blocks at chosen addresses; reads past a block's end
// stop there, as they would at an unmapped page.
class FakeMemory final : public MemoryReader {
public:
    // Places `bytes` at `addr` and returns addr.
    std::uint64_t put(std::uint64_t addr, const void* bytes, std::size_t size) {
        blocks_[addr].assign(static_cast<const char*>(bytes),
                             static_cast<const char*>(bytes) + size);
        return addr;
    }
    template <typename T>
    std::uint64_t put(std::uint64_t addr, const T& value) {
        return put(addr, &value, sizeof value);
    }
    std::uint64_t put_string(std::uint64_t addr, const std::string& s) {
        return put(addr, s.c_str(), s.size() + 1);
    }

    // What fd names, for -y (fd_path).
    void name_fd(int fd, std::string path) { fd_paths[fd] = std::move(path); }

    std::size_t read(std::uint64_t addr, std::span<char> out) override {
        for (const auto& [start, bytes] : blocks_) {
            if (addr >= start && addr < start + bytes.size()) {
                const std::size_t n = std::min(out.size(), bytes.size() - (addr - start));
                std::memcpy(out.data(), bytes.data() + (addr - start), n);
                return n;
            }
        }
        return 0;
    }
    std::size_t fd_path(int fd, std::span<char> out) override {
        const auto it = fd_paths.find(fd);
        return it == fd_paths.end() ? 0 : copy_out(it->second, out);
    }
    std::size_t cwd_path(std::span<char> out) override { return copy_out(cwd, out); }
    std::string_view previous_syscall() override { return previous; }

    // What -y shows: the paths of fds and of the working directory.
    std::map<int, std::string> fd_paths;
    std::string cwd;
    // The thread's previous call, for restart_syscall.
    std::string previous;

private:
    static std::size_t copy_out(const std::string& s, std::span<char> out) {
        const std::size_t n = std::min(s.size(), out.size());
        std::memcpy(out.data(), s.data(), n);
        return n;
    }
    std::map<std::uint64_t, std::vector<char>> blocks_;
};

// A call of `name` with `args`; ret/err describe the result (err = errno).
inline SyscallEvent make_call(std::string_view name, std::vector<std::uint64_t> args,
                              std::int64_t ret = 0, int err = 0) {
    SyscallEvent call;
    call.arch = Arch::X86_64;
    call.nr = *syscall_number(Arch::X86_64, name);
    call.name = name;
    for (std::size_t i = 0; i < args.size() && i < 6; ++i) call.args[i] = args[i];
    call.has_result = true;
    call.ret = err ? -1 : ret;
    call.err = err;
    return call;
}

// Decodes entry and exit, then prints "name(args)" and, when the decoder set
// one, " = ret (aux)" the way strace's line would end. Errors are not
// printed (the writer does that); only the argument part is checked here.
// `style` defaults to -y when options.fd_paths asks for paths.
inline std::string decode_to_strace(const SyscallEvent& call, FakeMemory& memory,
                                    const DecodeOptions& options,
                                    std::optional<StraceStyle> style = std::nullopt) {
    if (!style) style = StraceStyle{.fd_paths = options.fd_paths};
    ArgTree tree;
    decode_entry(call, tree, memory, options);
    decode_exit(call, tree, memory, options);
    fmt::memory_buffer out;
    fmt::format_to(std::back_inserter(out), "{}(", call.name);
    append_strace_args(out, tree, 0, ArgTree::kMaxNodes, *style);
    out.push_back(')');
    if (call.err == 0) {
        if (tree.ret_format == RetFormat::Hex && call.ret != 0) {
            fmt::format_to(std::back_inserter(out), " = {:#x}",
                           static_cast<std::uint64_t>(call.ret));
        } else if (tree.ret_format == RetFormat::Octal) {
            fmt::format_to(std::back_inserter(out), " = {:#03o}",
                           static_cast<std::uint64_t>(call.ret));
        } else if (tree.ret_format == RetFormat::None) {
            out.append(std::string_view(" = ?"));
        } else {
            fmt::format_to(std::back_inserter(out), " = {}", call.ret);
        }
        if (tree.ret_aux != kNoNode) {
            out.append(std::string_view(" ("));
            append_strace_ret_aux(out, tree, tree.ret_aux, *style);
            out.push_back(')');
        }
    }
    return fmt::to_string(out);
}

// With strace's defaults but -s; `style`: -y (fds named) and -X.
inline std::string decode_to_strace(const SyscallEvent& call, FakeMemory& memory,
                                    std::size_t string_limit = 32, const StraceStyle& style = {}) {
    DecodeOptions options;
    options.string_limit = string_limit;
    options.fd_paths = style.fd_paths;
    return decode_to_strace(call, memory, options, style);
}

// -v: every field, every element.
inline DecodeOptions verbose_options() {
    DecodeOptions options;
    options.abbreviate = false;
    return options;
}

// The two halves strace prints when another line comes between them:
// "name(ENTRY <unfinished ...>" and "<... name resumed>EXIT)".
inline std::string split_to_strace(const SyscallEvent& call, FakeMemory& memory) {
    ArgTree tree;
    decode_entry(call, tree, memory, DecodeOptions{});
    fmt::memory_buffer out;
    fmt::format_to(std::back_inserter(out), "{}(", call.name);
    append_strace_entry_half(out, tree);
    fmt::format_to(std::back_inserter(out), " <unfinished ...> | <... {} resumed>", call.name);
    decode_exit(call, tree, memory, DecodeOptions{});
    append_strace_exit_half(out, tree);
    out.push_back(')');
    return fmt::to_string(out);
}

// Only the part an "<unfinished ...>" line shows: the entry half.
inline std::string decode_entry_to_strace(const SyscallEvent& call, FakeMemory& memory) {
    ArgTree tree;
    decode_entry(call, tree, memory, DecodeOptions{});
    fmt::memory_buffer out;
    append_strace_args(out, tree, 0, tree.entry_arg_count);
    return fmt::to_string(out);
}

}  // namespace sctrace::testing
