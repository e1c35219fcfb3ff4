#include "model/stack_frame.h"

#include <cinttypes>
#include <cstdio>

namespace sctrace {

std::string format_frame(const StackFrame& frame) {
    char buf[64];
    std::string line = " > ";
    if (frame.module.empty()) {
        std::snprintf(buf, sizeof buf, "?? [0x%" PRIx64 "]", frame.pc);
        line += buf;
    } else {
        line += frame.module;
        line += '(';
        line += frame.function;
        if (!frame.function.empty() && !frame.inlined) {
            std::snprintf(buf, sizeof buf, "+0x%" PRIx64, frame.function_offset);
            line += buf;
        }
        std::snprintf(buf, sizeof buf, ") [0x%" PRIx64 "]", frame.module_offset);
        line += buf;
    }
    if (frame.line > 0) {
        line += " at ";
        line += frame.file;
        line += ':';
        line += std::to_string(frame.line);
    }
    if (frame.inlined) line += " (inlined)";
    return line;
}

}  // namespace sctrace
