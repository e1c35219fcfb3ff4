#include "model/finding.h"

namespace sctrace::rules {

std::string_view severity_name(Severity severity) {
    switch (severity) {
        case Severity::Info:
            return "info";
        case Severity::Warning:
            return "warning";
        case Severity::Error:
            return "error";
        case Severity::Critical:
            return "critical";
    }
    return "warning";
}

std::optional<Severity> severity_from_name(std::string_view name) {
    if (name == "info") return Severity::Info;
    if (name == "warning") return Severity::Warning;
    if (name == "error") return Severity::Error;
    if (name == "critical") return Severity::Critical;
    return std::nullopt;
}

}  // namespace sctrace::rules
