#include "report/findings_tally.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

namespace sctrace {

void FindingsTally::add(const rules::Finding& f) {
    auto it =
        std::find_if(rules_.begin(), rules_.end(), [&](const Rule& r) { return r.id == f.rule; });
    if (it == rules_.end()) {
        rules_.push_back(Rule{f.rule, f.severity, 0, 0, 0, false, {}, 0});
        seen_.emplace_back();
        it = std::prev(rules_.end());
    }
    Rule& r = *it;
    Seen& seen = seen_[static_cast<std::size_t>(it - rules_.begin())];
    ++r.count;
    r.severity = std::max(r.severity, f.severity);
    if (rules::is_wall_clock_time(f.time)) {
        if (!r.timed || f.time < r.first) r.first = f.time;
        if (!r.timed || f.time > r.last) r.last = f.time;
        r.timed = true;
    }
    if (seen.pids.insert(f.pid).second) {
        ++r.pid_count;
        if (r.pids.size() < kPidsListed) r.pids.push_back(f.pid);
    }
}

std::uint64_t FindingsTally::total() const {
    std::uint64_t n = 0;
    for (const Rule& r : rules_) n += r.count;
    return n;
}

std::vector<const FindingsTally::Rule*> FindingsTally::by_severity() const {
    std::vector<const Rule*> rows;
    for (const Rule& r : rules_) rows.push_back(&r);
    std::sort(rows.begin(), rows.end(), [](const Rule* a, const Rule* b) {
        if (a->severity != b->severity) return a->severity > b->severity;
        if (a->count != b->count) return a->count > b->count;
        return a->id < b->id;
    });
    return rows;
}

std::string pid_list(const FindingsTally::Rule& rule, std::string_view separator) {
    std::string out;
    for (const pid_t pid : rule.pids) {
        if (!out.empty()) out += separator;
        out += std::to_string(pid);
    }
    if (rule.pid_count > rule.pids.size()) {
        out += fmt::format(" and {} more", rule.pid_count - rule.pids.size());
    }
    return out;
}

std::string grouped(std::uint64_t n) {
    const std::string digits = std::to_string(n);
    std::string out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

}  // namespace sctrace
