#include "report/codequality_writer.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "base/text_escape.h"
#include "report/evidence_text.h"
#include "report/source_location.h"

namespace sctrace {

namespace {

// 64-bit FNV-1a: a fingerprint needs to be stable and spread, not secret.
std::uint64_t fnv1a(std::string_view text, std::uint64_t hash = 0xcbf29ce484222325ull) {
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ull;
    }
    return hash;
}

}  // namespace

const char* codequality_severity(rules::Severity severity) {
    switch (severity) {
        case rules::Severity::Info:
            return "info";
        case rules::Severity::Warning:
            return "minor";
        case rules::Severity::Error:
            return "major";
        case rules::Severity::Critical:
            return "critical";
    }
    return "minor";
}

CodeQualityWriter::CodeQualityWriter(std::string source_root) : root_(std::move(source_root)) {
    while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

void CodeQualityWriter::on_finding(const rules::Finding& f) {
    std::string path;
    int line = 1;
    std::string function;
    if (const StackFrame* at = user_code_frame(f, root_)) {
        path = project_path(at->file, root_);
        line = at->line > 0 ? at->line : 1;
        function = at->function;
    } else {
        path = project_path(f.exe.empty() ? "unknown" : f.exe, root_);
    }
    // Not the pid, the time or the fd: the same mistake in the next run
    // keeps its fingerprint.
    const std::string place =
        f.rule + '\x1f' + path + '\x1f' + std::to_string(line) + '\x1f' + function;
    const std::string fingerprint =
        fmt::format("{:016x}{:016x}", fnv1a(place), fnv1a(place, 0x84222325cbf29ce4ull));
    if (const auto found = by_fingerprint_.find(fingerprint); found != by_fingerprint_.end()) {
        ++entries_[found->second].count;
        return;
    }
    if (entries_.size() >= kMaxEntries) {
        ++dropped_;
        return;
    }
    by_fingerprint_[fingerprint] = entries_.size();
    entries_.push_back({f, path, line, 1});
}

std::string CodeQualityWriter::render() const {
    nlohmann::ordered_json all = nlohmann::ordered_json::array();
    for (const Entry& e : entries_) {
        const rules::Finding& f = e.finding;
        std::string description = escaped(f.message);
        if (e.count > 1) description += fmt::format(" (found {} times here)", e.count);
        nlohmann::ordered_json j;
        j["type"] = "issue";
        j["description"] = description;
        j["check_name"] = f.rule;
        std::string body = escaped(f.desc);
        for (const std::string& line : evidence_lines(f)) body += "\n    " + escaped(line);
        if (!f.doc.empty()) body += "\n\nSee " + f.doc;
        j["content"] = {{"body", body}};
        j["categories"] = nlohmann::ordered_json::array({"Bug Risk"});
        j["fingerprint"] = "";
        j["severity"] = codequality_severity(f.severity);
        j["location"] = {{"path", e.path}, {"lines", {{"begin", e.line}}}};
        all.push_back(std::move(j));
    }
    // The fingerprints, in the entries' order.
    for (const auto& [fingerprint, index] : by_fingerprint_)
        all[index]["fingerprint"] = fingerprint;
    return all.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace sctrace
