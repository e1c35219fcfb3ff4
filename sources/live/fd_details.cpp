#include "sources/live/fd_details.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>

#include "decoders/decoder.h"

namespace sctrace {

namespace {

std::size_t put(std::span<char> out, std::string_view text) {
    if (text.size() > out.size()) return 0;
    text.copy(out.data(), text.size());
    return text.size();
}

// The inode of "socket:[4711]", 0 for any other path.
std::uint64_t socket_inode(std::string_view path) {
    constexpr std::string_view kPrefix = "socket:[";
    if (!path.starts_with(kPrefix) || !path.ends_with(']')) return 0;
    const std::string_view digits = path.substr(kPrefix.size(), path.size() - kPrefix.size() - 1);
    std::uint64_t inode = 0;
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), inode);
    return ec == std::errc() && end == digits.data() + digits.size() ? inode : 0;
}

// The kernel's name for a socket's protocol ("TCP", "UNIX-STREAM").
std::string socket_protocol(pid_t tid, int fd) {
    char link[64];
    std::snprintf(link, sizeof link, "/proc/%d/fd/%d", tid, fd);
    char name[256];
    const ssize_t n = ::getxattr(link, "system.sockprotoname", name, sizeof name - 1);
    return n > 0 ? std::string(name, static_cast<std::size_t>(n)).c_str() : std::string();
}

// The process a pidfd refers to, from its fdinfo; -1 when unknown (it has
// exited, or the kernel does not say).
long pidfd_pid(pid_t tid, int fd) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/fdinfo/%d", tid, fd);
    std::FILE* f = std::fopen(path, "re");
    if (!f) return -1;
    long pid = -1;
    char line[256];
    while (std::fgets(line, sizeof line, f)) {
        if (std::strncmp(line, "Pid:\t", 5) == 0) {
            char* end = nullptr;
            pid = std::strtol(line + 5, &end, 10);
            if (end == line + 5 || (*end != '\n' && *end != '\0')) pid = -1;
            break;
        }
    }
    std::fclose(f);
    return pid;
}

}  // namespace

std::size_t FdDescriber::describe(pid_t tid, int fd, std::string_view path, unsigned kinds,
                                  std::span<char> out, FdDecoration& decoration) {
    // strace tries the kinds in this order and shows the first that applies.
    if (kinds & kFdDetailSocket) {
        if (const std::uint64_t inode = socket_inode(path)) {
            const std::string_view details = sockets_.describe(inode, socket_protocol(tid, fd));
            decoration = FdDecoration::Details;
            return put(out, details.empty() ? path : details);
        }
    }
    if ((kinds & kFdDetailDevice) && path.starts_with('/')) {
        // readlink's " (deleted)" is no part of the name to stat.
        constexpr std::string_view kDeleted = " (deleted)";
        std::string name(path);
        if (name.ends_with(kDeleted)) name.resize(name.size() - kDeleted.size());
        struct stat st {};
        if (::stat(name.c_str(), &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
            char text[64];
            const int n =
                std::snprintf(text, sizeof text, "%s %u:%u", S_ISBLK(st.st_mode) ? "block" : "char",
                              major(st.st_rdev), minor(st.st_rdev));
            decoration = FdDecoration::Device;
            return put(out, {text, static_cast<std::size_t>(n)});
        }
    }
    if ((kinds & kFdDetailPidfd) && path == "anon_inode:[pidfd]") {
        decoration = FdDecoration::Details;
        const long pid = pidfd_pid(tid, fd);
        if (pid <= 0) return put(out, path);
        char text[32];
        const int n = std::snprintf(text, sizeof text, "pid:%ld", pid);
        return put(out, {text, static_cast<std::size_t>(n)});
    }
    return 0;
}

}  // namespace sctrace
