#include "sources/live/remote_memory.h"

#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "base/unique_fd.h"

namespace sctrace {

namespace {}  // namespace

std::size_t read_remote_via_proc_mem(pid_t tid, std::uint64_t addr, std::span<char> out) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/mem", tid);
    UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
    if (!fd) return 0;
    const ssize_t n = ::pread(fd.get(), out.data(), out.size(), static_cast<off_t>(addr));
    return n > 0 ? static_cast<std::size_t>(n) : 0;
}

namespace {

// One process_vm_readv that stays within a page: a read that crosses into an
// unmapped page fails whole, so page-sized pieces let us return what exists.
std::size_t read_within_page(pid_t tid, std::uint64_t addr, char* out, std::size_t len) {
    iovec local{out, len};
    iovec remote{reinterpret_cast<void*>(addr), len};
    const ssize_t n = ::process_vm_readv(tid, &local, 1, &remote, 1, 0);
    return n > 0 ? static_cast<std::size_t>(n) : 0;
}

constexpr std::uint64_t kPage = 4096;

}  // namespace

std::size_t read_remote(pid_t tid, std::uint64_t addr, std::span<char> out) {
    if (out.empty()) return 0;
    // Fast path: the whole range in one call.
    iovec local{out.data(), out.size()};
    iovec remote{reinterpret_cast<void*>(addr), out.size()};
    const ssize_t n = ::process_vm_readv(tid, &local, 1, &remote, 1, 0);
    if (n == static_cast<ssize_t>(out.size())) return out.size();
    if (n < 0 && errno != EFAULT) return read_remote_via_proc_mem(tid, addr, out);
    // Partial: walk page by page to get every readable byte up to the hole.
    std::size_t done = n > 0 ? static_cast<std::size_t>(n) : 0;
    while (done < out.size()) {
        const std::uint64_t at = addr + done;
        const std::size_t in_page = kPage - (at % kPage);
        const std::size_t want = std::min(in_page, out.size() - done);
        const std::size_t got = read_within_page(tid, at, out.data() + done, want);
        done += got;
        if (got < want) break;
    }
    return done;
}

std::string_view read_remote_cstring(pid_t tid, std::uint64_t addr, std::span<char> out,
                                     bool* truncated) {
    if (truncated) *truncated = false;
    if (out.size() < 2 || addr == 0) return {};
    const std::size_t limit = out.size() - 1;
    std::size_t done = 0;
    // Read page-aligned chunks so we never fault on a page past the string.
    while (done < limit) {
        const std::uint64_t at = addr + done;
        const std::size_t want = std::min<std::size_t>(kPage - (at % kPage), limit - done);
        const std::size_t got = read_remote(tid, at, out.subspan(done, want));
        const void* nul = std::memchr(out.data() + done, '\0', got);
        if (nul)
            return {out.data(),
                    static_cast<std::size_t>(static_cast<const char*>(nul) - out.data())};
        done += got;
        if (got < want) return {out.data(), done};
    }
    if (truncated) *truncated = true;
    out[limit] = '\0';
    return {out.data(), limit};
}

std::size_t read_link(const char* path, std::span<char> out) {
    const ssize_t n = ::readlink(path, out.data(), out.size());
    return n > 0 && static_cast<std::size_t>(n) < out.size() ? static_cast<std::size_t>(n) : 0;
}

}  // namespace sctrace
