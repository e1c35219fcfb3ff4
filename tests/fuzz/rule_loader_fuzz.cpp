// libFuzzer target: arbitrary bytes as a rule file, through the YAML loader,
// the strict checks and the condition compiler (macros included), then what
// the tools read of the compiled rules. Rule files are untrusted input (a
// colleague's, a download): any crash, sanitizer report, hang or runaway
// memory is a bug, and every rejection must be an error, not an exception.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/rules/rule_set.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sctrace::rules::RuleSet set;
    set.load_text("fuzz.yaml", std::string(reinterpret_cast<const char*>(data), size));
    std::size_t touched = set.format_errors().size();
    const auto needs = set.needs();
    touched += needs.syscalls.size();
    for (const auto& rule : set.rules()) {
        touched += rule->timing_text().size();
        for (const auto* condition : rule->conditions()) {
            touched += condition->fields().size() + condition->cost();
        }
    }
    return touched == 0 ? 0 : 0;
}
