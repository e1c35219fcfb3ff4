// Errors from the OS, with the context a person needs to act on them.
#pragma once

#include <cerrno>
#include <stdexcept>
#include <string>

namespace sctrace {

// Thrown when a system call that sctrace itself makes fails in a way the
// caller cannot handle locally. The message names what was being done:
// "PTRACE_SEIZE pid 4711: Operation not permitted".
class SystemError : public std::runtime_error {
public:
    SystemError(const std::string& what_was_done, int error_number);
    int error_number() const { return errno_; }

private:
    int errno_;
};

// Convenience: throws SystemError(what, errno) with the current errno.
[[noreturn]] void throw_errno(const std::string& what_was_done);

}  // namespace sctrace
