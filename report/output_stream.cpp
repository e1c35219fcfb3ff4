#include "report/output_stream.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace sctrace {

OutputStream::OutputStream(int fd, std::string name, std::string program)
    : fd_(fd), name_(std::move(name)), program_(std::move(program)) {}

bool OutputStream::write(std::string_view data) {
    if (error_ != 0) return false;
    while (!data.empty()) {
        const ssize_t n = ::write(fd_, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            // A write of 0 bytes to a regular file means no room was made.
            fail(n < 0 ? errno : ENOSPC);
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

void OutputStream::fail(int error) {
    if (error_ != 0 || error == 0) return;
    error_ = error;
    // When the output is stderr itself this message is lost too; the exit
    // status still says so.
    std::fprintf(stderr, "%s: %s: %s: output lost from here on\n", program_.c_str(), name_.c_str(),
                 std::strerror(error));
}

bool append_to_file(const std::string& path, std::string_view text, std::string_view program) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        std::fprintf(stderr, "%s: %s: %s\n", std::string(program).c_str(), path.c_str(),
                     std::strerror(errno));
        return false;
    }
    OutputStream stream(fd, path, std::string(program));
    const bool written = stream.write(text);
    if (::close(fd) != 0 && written) stream.fail(errno);
    return !stream.lost();
}

bool OutputStream::lost() const {
    return error_ != 0 && error_ != EPIPE;
}

}  // namespace sctrace
