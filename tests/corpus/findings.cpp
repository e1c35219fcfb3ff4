#include "findings.h"

#include <fstream>
#include <regex>
#include <sstream>

namespace corpus {

using json = nlohmann::json;

int severity_rank(const std::string& s) {
    if (s == "info") return 0;
    if (s == "warning") return 1;
    if (s == "error") return 2;
    if (s == "critical") return 3;
    return -1;
}

std::vector<json> Findings::at_least(const std::string& severity) const {
    std::vector<json> out;
    for (const auto& f : all)
        if (severity_rank(f.value("severity", "")) >= severity_rank(severity)) out.push_back(f);
    return out;
}

Findings read_findings(const std::filesystem::path& path) {
    Findings f;
    std::ifstream in(path);
    if (!in) {
        f.problems.push_back(path.string() + ": no findings file");
        return f;
    }
    int line_no = 0;
    for (std::string line; std::getline(in, line);) {
        ++line_no;
        if (line.empty()) continue;
        const std::string where = "line " + std::to_string(line_no) + ": ";
        json j = json::parse(line, nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
            f.problems.push_back(where + "not a JSON object: " + line.substr(0, 200));
            continue;
        }
        for (const char* key : {"rule", "severity", "message"})
            if (!j.contains(key) || !j[key].is_string())
                f.problems.push_back(where + "no string '" + key + "'");
        for (const char* key : {"pid", "tid", "time"})
            if (!j.contains(key) || !j[key].is_number())
                f.problems.push_back(where + "no number '" + key + "'");
        if (j.contains("severity") && j["severity"].is_string() &&
            severity_rank(j["severity"].get<std::string>()) < 0)
            f.problems.push_back(where + "unknown severity " + j["severity"].dump());
        f.all.push_back(std::move(j));
    }
    return f;
}

std::string format_finding(const json& f) {
    std::ostringstream s;
    auto text = [&f](const char* key) {
        return f.contains(key) ? (f[key].is_string() ? f[key].get<std::string>() : f[key].dump())
                               : "?";
    };
    s << "    [" << text("severity") << "] " << text("rule") << "  pid " << text("pid") << " tid "
      << text("tid") << " exe " << text("exe") << "\n      " << text("message") << "\n";
    if (f.contains("evidence") && f["evidence"].is_array()) {
        s << "      evidence:\n";
        for (const auto& e : f["evidence"])
            s << "        " << (e.is_string() ? e.get<std::string>() : e.dump()) << "\n";
    }
    return s.str();
}

std::string format_findings(const std::vector<json>& findings) {
    std::string s;
    for (const auto& f : findings) s += format_finding(f);
    return s.empty() ? "    (none)\n" : s;
}

namespace {

// Line `line_no` of file, or "" (the line the parser named, for the reader).
std::string line_of(const std::string& file, std::size_t line_no) {
    std::ifstream in(file);
    std::string line;
    for (std::size_t n = 1; std::getline(in, line); ++n)
        if (n == line_no) return line.size() > 600 ? line.substr(0, 600) + "..." : line;
    return "";
}

}  // namespace

Unparsed read_unparsed(const std::string& err) {
    static const std::regex count_re(R"(sctrace analyze: (\d+) line\(s\) could not be parsed)");
    static const std::regex line_re(R"(^sctrace analyze: (.+):(\d+): (.*)$)");
    Unparsed u;
    std::istringstream lines(err);
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (std::regex_search(line, m, count_re)) {
            u.count = std::stoul(m[1]);
        } else if (std::regex_match(line, m, line_re)) {
            u.lines.push_back(line + "\n        the line: " + line_of(m[1], std::stoul(m[2])));
        }
    }
    return u;
}

std::string format_unparsed(const Unparsed& u) {
    std::string s = "    " + std::to_string(u.count) + " line(s) could not be parsed\n";
    for (const auto& l : u.lines) s += "    " + l + "\n";
    return s;
}

}  // namespace corpus
