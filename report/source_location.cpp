#include "report/source_location.h"

#include <filesystem>
#include <system_error>

namespace sctrace {

namespace {

// A file of the project being tested: under the source root, or a relative
// path (DWARF's, from the compile directory) found there.
bool in_root(const std::string& file, const std::string& root) {
    if (root.empty() || file.empty()) return false;
    if (file.front() == '/') return file.starts_with(root + "/");
    if (file.starts_with("../")) return false;
    std::error_code ec;
    return std::filesystem::exists(std::filesystem::path(root) / file, ec);
}

}  // namespace

bool is_system_module(std::string_view module) {
    if (module.empty() || module.starts_with("[")) return true;  // no file, [vdso]
    for (const std::string_view dir : {"/lib/", "/lib64/", "/usr/lib/", "/usr/lib64/",
                                       "/usr/libexec/", "/lib32/", "/usr/lib32/"}) {
        if (module.starts_with(dir)) return true;
    }
    return false;
}

const StackFrame* user_code_frame(const rules::Finding& finding, const std::string& root) {
    for (const bool project_only : {true, false}) {
        for (const bool own_thread : {true, false}) {
            for (const ThreadStack& s : finding.stacks) {
                if ((s.tid == finding.tid) != own_thread) continue;
                for (const StackFrame& frame : s.frames) {
                    if (frame.file.empty()) continue;
                    if (project_only ? in_root(frame.file, root)
                                     : !is_system_module(frame.module)) {
                        return &frame;
                    }
                }
            }
        }
    }
    return nullptr;
}

std::string project_path(std::string_view file, const std::string& root) {
    if (!root.empty() && file.starts_with(root + "/"))
        return std::string(file.substr(root.size() + 1));
    return std::string(file);
}

}  // namespace sctrace
