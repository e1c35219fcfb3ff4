#include "cli/repeated_runs.h"

#include <stdlib.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "cli/compare_logs.h"
#include "report/diff_writer.h"
#include "report/github_writer.h"
#include "report/output_stream.h"

namespace sctrace {

bool is_renamed_per_run(const std::string& path) {
    if (path.empty()) return false;
    struct stat st {};
    // A path that does not exist yet is a file the run creates; one that
    // exists is renamed only when it is a regular file.
    if (::stat(path.c_str(), &st) != 0) return errno == ENOENT;
    return S_ISREG(st.st_mode);
}

std::string run_file_path(const std::string& path, unsigned run) {
    if (!is_renamed_per_run(path)) return path;
    const std::string tag = ".run" + std::to_string(run);
    const std::size_t slash = path.rfind('/');
    const std::size_t name_start = slash == std::string::npos ? 0 : slash + 1;
    const std::size_t dot = path.rfind('.');
    // "report.xml" -> "report.run7.xml"; no extension (or a dot file such
    // as ".trace"): the tag goes at the end.
    if (dot == std::string::npos || dot <= name_start) return path + tag;
    return path.substr(0, dot) + tag + path.substr(dot);
}

RunFiles files_for_run(const RunFiles& named, unsigned run) {
    RunFiles files = named;
    // The job's summary is one for all runs (RepeatedRuns::finish).
    files.step_summary.clear();
    for (std::string* path : files.paths()) *path = run_file_path(*path, run);
    if (!files.flight_prefix.empty()) {
        files.flight_prefix = named.flight_prefix + ".run" + std::to_string(run);
    }
    return files;
}

namespace {

void remove_file(const std::string& path) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
        std::fprintf(stderr, "sctrace: cannot remove %s: %s\n", path.c_str(), std::strerror(errno));
    }
}

std::string run_list(const std::vector<unsigned>& runs) {
    std::string text;
    for (const unsigned r : runs) text += (text.empty() ? "" : ", ") + std::to_string(r);
    return text;
}

// How many failing runs are compared with the passing one on stderr.
constexpr std::size_t kDiffsShown = 3;

}  // namespace

RepeatedRuns::RepeatedRuns(RunFiles named, bool output_is_log)
    : named_(std::move(named)), output_is_log_(output_is_log) {
    if (output_is_log_) return;
    const char* tmp = std::getenv("TMPDIR");
    std::string dir = std::string(tmp && *tmp ? tmp : "/tmp") + "/sctrace-runs-XXXXXX";
    if (::mkdtemp(dir.data()) == nullptr) {
        std::fprintf(stderr,
                     "sctrace: cannot make a directory for the runs' events (%s: %s): runs will "
                     "not be compared\n",
                     dir.c_str(), std::strerror(errno));
        return;
    }
    own_dir_ = dir;
}

RepeatedRuns::~RepeatedRuns() {
    if (own_dir_.empty()) return;
    std::error_code ignored;
    std::filesystem::remove_all(own_dir_, ignored);
}

std::string RepeatedRuns::log_of(unsigned run) const {
    if (output_is_log_) return run_file_path(named_.output, run);
    if (own_dir_.empty()) return {};
    return own_dir_ + "/run" + std::to_string(run) + ".jsonl";
}

RunFiles RepeatedRuns::files(unsigned run) const {
    RunFiles files = files_for_run(named_, run);
    if (!output_is_log_) files.comparison_log = log_of(run);
    files.markdown_wanted = !named_.step_summary.empty() || !named_.markdown.empty();
    return files;
}

void RepeatedRuns::record(unsigned run, int status, const RunFiles& files,
                          const std::vector<std::string>& flight_files, const std::string& markdown,
                          JunitRun junit) {
    attempts_.push_back({run, status});
    runs_ = run;
    const bool failed = status != 0;
    if (failed) {
        if (failed_.empty()) {
            first_failure_markdown_ = markdown;
            first_failure_junit_ = std::move(junit);
        }
        failed_.push_back(run);
        if (first_failure_status_ == 0) first_failure_status_ = status;
    }
    // The passing run kept for comparison is the last one before the first
    // failure: the closest to it (the same files left behind by the runs
    // before, the same warm caches).
    const auto run_files = [&](unsigned r) {
        std::vector<std::string> paths;
        const RunFiles of_run = r == run ? files : files_for_run(named_, r);
        const std::vector<const std::string*> run_paths = of_run.paths();
        const std::vector<const std::string*> named_paths = std::as_const(named_).paths();
        for (std::size_t i = 0; i < run_paths.size(); ++i) {
            // Not renamed per run (/dev/null): not this run's to keep or remove.
            if (!run_paths[i]->empty() && *run_paths[i] != *named_paths[i]) {
                paths.push_back(*run_paths[i]);
            }
        }
        return paths;
    };
    bool keep = failed;
    unsigned replaced = 0;
    if (!failed && failed_.empty()) {
        if (kept_passing_ != 0) {
            for (const std::string& path : run_files(kept_passing_)) remove_file(path);
            if (!output_is_log_ && !own_dir_.empty()) remove_file(log_of(kept_passing_));
            replaced = kept_passing_;
        }
        kept_passing_ = run;
        kept_passing_markdown_ = markdown;
        kept_passing_junit_ = std::move(junit);
        keep = true;
    }
    std::vector<std::string> kept;
    for (const std::string& path : run_files(run)) {
        if (keep) {
            kept.push_back(path);
        } else {
            remove_file(path);
        }
    }
    if (!keep && !output_is_log_ && !own_dir_.empty()) remove_file(log_of(run));
    // A flight recording is written only when something went wrong (a
    // finding, a failure): it is kept whatever the run's status.
    kept.insert(kept.end(), flight_files.begin(), flight_files.end());
    std::string note = failed ? "failed (exit status " + std::to_string(status) + ")" : "passed";
    if (!kept.empty()) {
        std::string list;
        for (const std::string& path : kept) list += (list.empty() ? "" : ", ") + path;
        note += "; kept " + list;
        if (replaced != 0) note += " (run " + std::to_string(replaced) + "'s removed)";
    }
    std::fprintf(stderr, "sctrace: run %u: %s\n", run, note.c_str());
}

bool RepeatedRuns::write_markdown(const std::string& verdict) const {
    std::string md = "### sctrace --repeat: " + verdict + "\n\n";
    for (const auto& [run, text] : differences_) {
        md += "<details><summary>How run " + std::to_string(run) + " differed from run " +
              std::to_string(kept_passing_) + ", the last run that passed</summary>\n\n" +
              markdown_code_block(text) + "</details>\n\n";
    }
    const unsigned shown = failed_.empty() ? kept_passing_ : failed_.front();
    const std::string& run_md = failed_.empty() ? kept_passing_markdown_ : first_failure_markdown_;
    if (shown != 0 && !run_md.empty()) {
        md += "Run " + std::to_string(shown) +
              (failed_.empty() ? ", the last run:" : ", the first that failed:") + "\n\n";
        // The run's own heading, a level down.
        md += run_md.starts_with("### ") ? "#" + run_md : run_md;
    }
    bool ok = true;
    if (!named_.markdown.empty()) {
        std::error_code ignored;
        std::filesystem::remove(named_.markdown, ignored);
        ok = append_to_file(named_.markdown, md, "sctrace") && ok;
    }
    if (!named_.step_summary.empty()) ok = append_to_file(named_.step_summary, md, "sctrace") && ok;
    return ok;
}

bool RepeatedRuns::write_junit() const {
    // The first failing run's findings (else the kept passing run's), and
    // the command's test case for every run.
    const JunitRun& shown = failed_.empty() ? kept_passing_junit_ : first_failure_junit_;
    if (!shown.writer) return true;
    RunSummary summary = shown.summary;
    summary.attempts = attempts_;
    for (const auto& [run, text] : differences_) {
        summary.differences += "How run " + std::to_string(run) + " differed from run " +
                               std::to_string(kept_passing_) + ", the last run that passed:\n" +
                               text + "\n";
    }
    std::error_code ignored;
    std::filesystem::remove(named_.junit, ignored);
    return append_to_file(named_.junit, shown.writer->render(shown.rules, summary), "sctrace");
}

bool RepeatedRuns::finish() {
    bool copied = true;
    const unsigned representative = failed_.empty() ? kept_passing_ : failed_.front();
    if (representative != 0) {
        const RunFiles from = files_for_run(named_, representative);
        const std::vector<const std::string*> named_paths = std::as_const(named_).paths();
        const std::vector<const std::string*> run_paths = from.paths();
        for (std::size_t i = 0; i < named_paths.size(); ++i) {
            const std::string& to = *named_paths[i];
            if (to.empty() || *run_paths[i] == to) continue;
            std::error_code error;
            std::filesystem::copy_file(*run_paths[i], to,
                                       std::filesystem::copy_options::overwrite_existing, error);
            if (error) {
                std::fprintf(stderr, "sctrace: cannot copy %s to %s: %s\n", run_paths[i]->c_str(),
                             to.c_str(), error.message().c_str());
                copied = false;
            }
        }
    }
    const std::size_t failures = failed_.size();
    std::string verdict;
    if (failures == 0) {
        verdict = "passed all " + std::to_string(runs_) + " runs";
    } else if (failures == runs_) {
        verdict = "failed " + std::to_string(runs_) + " of " + std::to_string(runs_) +
                  " runs (every run)";
    } else {
        verdict = "flaky: failed " + std::to_string(failures) + " of " + std::to_string(runs_) +
                  " runs (run" + (failures == 1 ? "" : "s") + " " + run_list(failed_) + ")";
    }
    if (!named_.markdown.empty() || !named_.step_summary.empty()) {
        copied = write_markdown(verdict) && copied;
    }
    if (!named_.junit.empty() && is_renamed_per_run(named_.junit)) copied = write_junit() && copied;
    if (!failed_.empty() && !named_.annotations.empty() && is_renamed_per_run(named_.annotations)) {
        // The verdict itself, where GitHub shows annotations: a flaky test
        // may raise no finding at all.
        std::string message = verdict;
        for (const auto& [run, headline] : headlines_) {
            message += "\nhow run " + std::to_string(run) + " differed from run " +
                       std::to_string(kept_passing_) + ":" + headline;
        }
        const std::string line = "::error title=" +
                                 github_escape_property(failures == runs_ ? "sctrace: failing test"
                                                                          : "sctrace: flaky test") +
                                 "::" + github_escape_data(message) + "\n";
        copied = append_to_file(named_.annotations, line, "sctrace") && copied;
    }
    std::fprintf(stderr, "sctrace: %s\n", verdict.c_str());
    return copied;
}

}  // namespace sctrace

namespace sctrace {

void RepeatedRuns::show_differences() {
    if (failed_.empty() || kept_passing_ == 0) return;
    const std::string pass = log_of(kept_passing_);
    if (pass.empty()) return;
    for (std::size_t k = 0; k < failed_.size() && k < kDiffsShown; ++k) {
        const std::string fail = log_of(failed_[k]);
        std::fprintf(stderr,
                     "sctrace: how run %u differed from run %u, the last run that passed:\n",
                     failed_[k], kept_passing_);
        const auto diff = compare_logs(pass, fail, "sctrace diff");
        if (!diff) continue;
        std::string text = diff_text(*diff, 10);
        if (text.starts_with("sctrace diff: ")) text.erase(0, 14);
        differences_.emplace_back(failed_[k], text);
        std::string headline;
        for (std::size_t d = 0; d < diff->divergences.size() && d < 3; ++d) {
            headline += "\n" + diff->divergences[d].subject + ": " + diff->divergences[d].summary;
        }
        headlines_.emplace_back(failed_[k], headline);
        // Every line of sctrace's on stderr says so.
        std::string prefixed;
        for (std::size_t start = 0; start < text.size();) {
            const std::size_t end = text.find('\n', start);
            const std::size_t stop = end == std::string::npos ? text.size() : end;
            prefixed += "sctrace: " + text.substr(start, stop - start) + "\n";
            start = stop + 1;
        }
        std::fputs(prefixed.c_str(), stderr);
        if (output_is_log_) {
            std::fprintf(stderr, "sctrace: (again, or as JSON: sctrace diff %s %s)\n", pass.c_str(),
                         fail.c_str());
        }
    }
    if (failed_.size() > kDiffsShown) {
        std::fprintf(stderr, "sctrace: %zu more failing run(s) not compared here\n",
                     failed_.size() - kDiffsShown);
    }
}

}  // namespace sctrace
