#include "report/sarif_writer.h"

#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include "base/nanos_math.h"
#include "base/text_escape.h"
#include "report/evidence_text.h"
#include "report/findings_writer.h"
#include "report/source_location.h"

namespace sctrace {

namespace {

using Json = nlohmann::ordered_json;  // keys in writing order: readable files

constexpr const char* kSchema =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
constexpr const char* kRootId = "%SRCROOT%";

// "2026-11-23T17:07:31.123Z": SARIF's times are UTC with a Z.
std::string utc_time(Nanos time) {
    // Floor division: a time before 1970 keeps its milliseconds in [0, 1000).
    const std::time_t seconds = static_cast<std::time_t>(floor_div(time, 1'000'000'000));
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                       floor_mod(time, 1'000'000'000) / 1'000'000);
}

// A path as a URI reference: RFC 3986 unreserved characters and '/' stay,
// every other byte is percent-encoded (spaces, '#', '%', non-ASCII).
std::string uri_path(std::string_view path) {
    std::string out;
    for (const char c : path) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
            out += c;
        } else {
            out += fmt::format("%{:02X}", u);
        }
    }
    return out;
}

// "double-close" -> "DoubleClose": SARIF's rule `name` is an identifier-like
// label, the id is what users type.
std::string pascal_case(std::string_view id) {
    std::string out;
    bool upper = true;
    for (const char c : id) {
        if (c == '-' || c == '_' || c == '.') {
            upper = true;
            continue;
        }
        out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
        upper = false;
    }
    return out;
}

std::string basename_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

class DocumentBuilder {
public:
    explicit DocumentBuilder(const std::string& root) : root_(root) {
        while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
    }

    // An artifactLocation for a file: relative to the source root when under
    // it (or already relative, as DWARF may record it), else a file:// URI.
    Json artifact(const std::string& file) const {
        Json a = Json::object();
        if (!root_.empty() && file.size() > root_.size() + 1 && file.starts_with(root_) &&
            file[root_.size()] == '/') {
            a["uri"] = uri_path(file.substr(root_.size() + 1));
            a["uriBaseId"] = kRootId;
        } else if (!file.empty() && file.front() == '/') {
            a["uri"] = "file://" + uri_path(file);
        } else {
            a["uri"] = uri_path(file);
            a["uriBaseId"] = kRootId;
        }
        return a;
    }

    Json physical(const std::string& file, int line) const {
        Json p = Json::object();
        p["artifactLocation"] = artifact(file);
        if (line > 0) p["region"] = {{"startLine", line}};
        return p;
    }

    Json frame(const StackFrame& f, pid_t tid) const {
        Json location = Json::object();
        if (!f.file.empty()) location["physicalLocation"] = physical(f.file, f.line);
        if (!f.function.empty()) {
            location["logicalLocations"] = Json::array(
                {{{"name", escaped(f.function, EscapeMode::Name)}, {"kind", "function"}}});
        }
        std::string text =
            f.function.empty()
                ? fmt::format("{:#x}", f.pc)
                : fmt::format("{}+{:#x}", escaped(f.function, EscapeMode::Name), f.function_offset);
        if (!f.module.empty()) {
            text +=
                fmt::format(" ({}+{:#x})", escaped(f.module, EscapeMode::Name), f.module_offset);
        }
        if (f.inlined) text += " [inlined]";
        location["message"] = {{"text", text}};
        Json out = Json::object();
        out["location"] = std::move(location);
        if (!f.module.empty()) out["module"] = escaped(f.module, EscapeMode::Name);
        out["threadId"] = tid;
        out["properties"] = {{"pc", fmt::format("{:#x}", f.pc)}};
        return out;
    }

    Json result(const rules::Finding& f, std::size_t rule_index) const {
        Json r = Json::object();
        r["ruleId"] = f.rule;
        r["ruleIndex"] = rule_index;
        r["level"] = sarif_level(f.severity);
        // Every string a CI page shows is escaped as on stderr (a code
        // scanning UI renders a newline or a bidi override as given, and
        // cannot show bytes that are not UTF-8); the raw bytes are in the
        // JSON Lines findings (--findings).
        const std::string message = escaped(f.message);
        std::string text = f.desc.empty() ? message : message + "\n" + escaped(f.desc);
        if (f.injected) text += "\n" + injected_note(f);
        r["message"] = {{"text", std::move(text)}};

        Json location = Json::object();
        if (const StackFrame* at = first_source_frame(f)) {
            location["physicalLocation"] = physical(at->file, at->line);
        } else if (!f.exe.empty()) {
            location["physicalLocation"] = physical(f.exe, 0);
        }
        const std::string exe = escaped(f.exe, EscapeMode::Name);
        const std::string process = exe.empty() ? "pid " + std::to_string(f.pid)
                                                : escaped(basename_of(f.exe), EscapeMode::Name);
        location["logicalLocations"] = Json::array({{
            {"name", process},
            {"fullyQualifiedName",
             fmt::format("{} (pid {}, tid {})", exe.empty() ? process : exe, f.pid, f.tid)},
            {"kind", "process"},
        }});
        r["locations"] = Json::array({std::move(location)});

        if (!f.stacks.empty()) {
            Json stacks = Json::array();
            for (const ThreadStack& s : f.stacks) {
                Json frames = Json::array();
                for (const StackFrame& frame_value : s.frames)
                    frames.push_back(frame(frame_value, s.tid));
                std::string text = fmt::format("thread {}", s.tid);
                if (!s.note.empty()) text += ": " + escaped(s.note);
                stacks.push_back({{"message", {{"text", text}}}, {"frames", std::move(frames)}});
            }
            r["stacks"] = std::move(stacks);
        }

        Json props = Json::object();
        props["severity"] = rules::severity_name(f.severity);
        props["pid"] = f.pid;
        props["tid"] = f.tid;
        props["time"] = f.time;
        props["timeUtc"] = utc_time(f.time);
        if (!exe.empty()) props["exe"] = exe;
        Json evidence = Json::array();
        for (const std::string& line : evidence_lines(f)) evidence.push_back(escaped(line));
        props["evidence"] = std::move(evidence);
        Json items = Json::array();
        for (const rules::EvidenceItem& item : f.evidence) items.push_back(evidence_item(item));
        props["evidence_items"] = std::move(items);
        if (!f.doc.empty()) props["doc"] = f.doc;
        if (f.injected) props["injected"] = true;
        r["properties"] = std::move(props);
        return r;
    }

private:
    // The item's fields; its strings escaped like every string here.
    static Json evidence_item(const rules::EvidenceItem& item) {
        struct ToJson final : EvidenceFieldVisitor {
            Json object = Json::object();
            void field(std::string_view name, std::int64_t value) override {
                object[std::string(name)] = value;
            }
            void field(std::string_view name, std::string_view value) override {
                object[std::string(name)] = escaped(value);
            }
            void field(std::string_view name, bool value) override {
                object[std::string(name)] = value;
            }
        } to_json;
        visit_evidence_fields(item, to_json);
        return std::move(to_json.object);
    }

    // The innermost frame in the project's code, else outside the system
    // libraries (report/source_location.h): never libc's own line.
    const StackFrame* first_source_frame(const rules::Finding& f) const {
        return user_code_frame(f, root_);
    }

    std::string root_;
};

Json rule_descriptor(const rules::RuleInfo& rule, const SarifLinks& links) {
    Json d = Json::object();
    d["id"] = rule.id;
    d["name"] = pascal_case(rule.id);
    d["shortDescription"] = {{"text", rule.desc.empty() ? rule.id : first_sentence(rule.desc)}};
    d["fullDescription"] = {{"text", rule.desc.empty() ? rule.id : rule.desc}};
    // A rule of the bundled pack has its page (the packager's address, else
    // the story on this machine); a user's rule, its file.
    const std::string& file = rule.where.file;
    const bool bundled =
        !links.bundled_rules_dir.empty() && file.starts_with(links.bundled_rules_dir + "/");
    std::string page;
    if (bundled || file.empty()) {
        if (!links.rule_docs_uri.empty()) {
            page = links.rule_docs_uri + "/" + uri_path(rule.id) + ".md";
        } else if (!links.rule_docs_dir.empty()) {
            page = "file://" + uri_path(links.rule_docs_dir + "/" + rule.id + ".md");
        }
    }
    std::string help = rule.desc;
    std::string markdown = rule.desc;
    if (!page.empty()) {
        help += "\n\nSee " + page + ".";
        markdown += "\n\nSee <" + page + ">.";
    } else {
        const std::string doc = "docs/rules/" + rule.id + ".md";
        help += "\n\nSee " + doc + " in sctrace's source.";
        markdown += "\n\nSee `" + doc + "` in sctrace's source.";
    }
    if (!rule.references.empty()) {
        help += "\nReferences:";
        markdown += "\n\nReferences:\n";
        for (const auto& ref : rule.references) {
            help += "\n  " + ref;
            markdown += "\n- " + ref;
        }
    }
    d["help"] = {{"text", help}, {"markdown", markdown}};
    if (!page.empty()) {
        d["helpUri"] = page;
    } else if (!file.empty()) {
        std::error_code ec;
        const auto absolute = std::filesystem::absolute(file, ec);
        d["helpUri"] = "file://" + uri_path(ec ? file : absolute.lexically_normal().string());
    }
    d["defaultConfiguration"] = {{"enabled", rule.enabled}, {"level", sarif_level(rule.severity)}};
    Json props = Json::object();
    props["tags"] = rule.tags;
    props["severity"] = rules::severity_name(rule.severity);
    if (!rule.where.file.empty()) {
        props["definedAt"] = fmt::format("{}:{}", rule.where.file, rule.where.line);
    }
    d["properties"] = std::move(props);
    return d;
}

}  // namespace

const char* sarif_level(rules::Severity severity) {
    switch (severity) {
        case rules::Severity::Critical:
        case rules::Severity::Error:
            return "error";
        case rules::Severity::Warning:
            return "warning";
        case rules::Severity::Info:
            return "note";
    }
    return "warning";
}

std::string first_sentence(const std::string& text) {
    std::string folded;
    for (const char c : text) {
        const bool space = c == ' ' || c == '\n' || c == '\t' || c == '\r';
        if (space) {
            if (!folded.empty() && folded.back() != ' ') folded += ' ';
        } else {
            folded += c;
        }
    }
    while (!folded.empty() && folded.back() == ' ') folded.pop_back();
    // A period followed by a space ends a sentence; "connect()." or "0x10"
    // inside one do not.
    const auto end = folded.find(". ");
    return end == std::string::npos ? folded : folded.substr(0, end + 1);
}

SarifWriter::SarifWriter(std::string tool_version, std::string source_root, SarifLinks links)
    : tool_version_(std::move(tool_version)),
      source_root_(std::move(source_root)),
      links_(std::move(links)) {}

std::string SarifWriter::render(const std::vector<rules::RuleInfo>& rule_set,
                                const RunSummary& run) const {
    DocumentBuilder builder(source_root_);

    Json rules_json = Json::array();
    std::map<std::string, std::size_t, std::less<>> index;
    for (const rules::RuleInfo& rule : rule_set) {
        index.emplace(rule.id, rules_json.size());
        rules_json.push_back(rule_descriptor(rule, links_));
    }
    // Past what code scanning shows, the most severe findings, then the
    // earliest, are the ones kept.
    std::vector<const rules::Finding*> shown;
    for (const rules::Finding& f : findings_) shown.push_back(&f);
    std::size_t omitted = 0;
    if (shown.size() > kSarifMaxResults) {
        std::stable_sort(shown.begin(), shown.end(),
                         [](const rules::Finding* a, const rules::Finding* b) {
                             if (a->severity != b->severity) return a->severity > b->severity;
                             return a->time < b->time;
                         });
        omitted = shown.size() - kSarifMaxResults;
        shown.resize(kSarifMaxResults);
    }
    Json results = Json::array();
    for (const rules::Finding* fp : shown) {
        const rules::Finding& f = *fp;
        auto it = index.find(f.rule);
        if (it == index.end()) {
            // A finding from a rule the set does not list (cannot happen with
            // the engine, but ruleIndex must point at a descriptor).
            rules::RuleInfo stub;
            stub.id = f.rule;
            stub.desc = f.desc;
            stub.severity = f.severity;
            it = index.emplace(f.rule, rules_json.size()).first;
            rules_json.push_back(rule_descriptor(stub, links_));
        }
        results.push_back(builder.result(f, it->second));
    }

    Json driver = Json::object();
    driver["name"] = "sctrace";
    driver["version"] = tool_version_;
    driver["semanticVersion"] = tool_version_;
    if (!links_.information_uri.empty()) driver["informationUri"] = links_.information_uri;
    driver["rules"] = std::move(rules_json);

    Json invocation = Json::object();
    // executionSuccessful is about sctrace itself: it ran to the end. The
    // traced command's status is a property, since exitCode would be ours.
    invocation["executionSuccessful"] = true;
    invocation["commandLine"] = run_target(run);
    if (run.start_time > 0) {
        invocation["startTimeUtc"] = utc_time(run.start_time);
        invocation["endTimeUtc"] = utc_time(run.start_time + run.duration);
    }
    Json inv_props = Json::object();
    if (!run.command.empty()) inv_props["command"] = run.command;
    if (!run.attached.empty()) inv_props["attached"] = run.attached;
    if (!run.inputs.empty()) inv_props["inputs"] = run.inputs;
    if (run.exit_status >= 0) inv_props["commandExitStatus"] = run.exit_status;
    invocation["properties"] = std::move(inv_props);

    Json run_json = Json::object();
    run_json["tool"] = {{"driver", std::move(driver)}};
    if (!source_root_.empty()) {
        std::string root = source_root_;
        if (root.back() != '/') root += '/';
        run_json["originalUriBaseIds"] = {{kRootId, {{"uri", "file://" + uri_path(root)}}}};
    }
    run_json["invocations"] = Json::array({std::move(invocation)});
    run_json["results"] = std::move(results);

    Json doc = Json::object();
    doc["$schema"] = kSchema;
    doc["version"] = "2.1.0";
    doc["runs"] = Json::array({std::move(run_json)});
    const auto render_doc = [&] {
        return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
    };
    std::string text = render_doc();
    Json& out_run = doc["runs"][0];
    Json& out_results = out_run["results"];
    bool slimmed = false;
    if (text.size() > kSarifMaxBytes) {
        // The bulk first: stacks and evidence as data (the messages keep
        // the evidence in words).
        for (Json& r : out_results) {
            r.erase("stacks");
            r["properties"].erase("evidence_items");
        }
        slimmed = true;
        text = render_doc();
    }
    while (text.size() > kSarifMaxBytes && !out_results.empty()) {
        // Then the least severe results (the list is most severe first when
        // it was cut above; else in finding order), half at a time.
        const std::size_t keep = out_results.size() / 2;
        omitted += out_results.size() - keep;
        out_results.erase(out_results.begin() + static_cast<std::ptrdiff_t>(keep),
                          out_results.end());
        text = render_doc();
    }
    if (omitted > 0 || slimmed) {
        std::string note;
        if (omitted > 0) {
            note = fmt::format(
                "{} finding(s) were left out: code scanning takes {} results and {} "
                "bytes of one run; every finding is in --findings.",
                omitted, kSarifMaxResults, kSarifMaxBytes);
        }
        if (slimmed) {
            note += std::string(note.empty() ? "" : " ") +
                    "Stacks and evidence data were left out of the results to keep the file "
                    "under the size code scanning takes.";
        }
        out_run["invocations"][0]["toolExecutionNotifications"] =
            Json::array({{{"level", "warning"}, {"message", {{"text", note}}}}});
        out_run["properties"] = {{"resultsOmitted", omitted}, {"resultsSlimmed", slimmed}};
        text = render_doc();
    }
    return text;
}

}  // namespace sctrace
