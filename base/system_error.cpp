#include "base/system_error.h"

#include <cstring>

namespace sctrace {

SystemError::SystemError(const std::string& what_was_done, int error_number)
    : std::runtime_error(what_was_done + ": " + std::strerror(error_number)),
      errno_(error_number) {}

void throw_errno(const std::string& what_was_done) {
    throw SystemError(what_was_done, errno);
}

}  // namespace sctrace
