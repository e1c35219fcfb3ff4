#include "cli/repeated_runs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

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

}  // namespace

void RepeatedRuns::record(unsigned run, int status, const RunFiles& files,
                          const std::vector<std::string>& flight_files) {
    runs_ = run;
    const bool failed = status != 0;
    if (failed) {
        failed_.push_back(run);
        if (first_failure_status_ == 0) first_failure_status_ = status;
    }
    const bool keep = failed || kept_passing_ == 0;
    if (!failed && keep) kept_passing_ = run;
    const std::vector<const std::string*> run_paths = files.paths();
    const std::vector<const std::string*> named_paths = std::as_const(named_).paths();
    std::vector<std::string> kept;
    for (std::size_t i = 0; i < run_paths.size(); ++i) {
        const std::string& path = *run_paths[i];
        if (path.empty() || path == *named_paths[i]) continue;  // not renamed per run
        if (keep) {
            kept.push_back(path);
        } else {
            remove_file(path);
        }
    }
    // A flight recording is written only when something went wrong (a
    // finding, a failure): it is kept whatever the run's status.
    kept.insert(kept.end(), flight_files.begin(), flight_files.end());
    kept_files_.insert(kept_files_.end(), kept.begin(), kept.end());
    std::string note = failed ? "failed (exit status " + std::to_string(status) + ")" : "passed";
    if (!kept.empty()) {
        std::string list;
        for (const std::string& path : kept) list += (list.empty() ? "" : ", ") + path;
        note += "; kept " + list;
    }
    std::fprintf(stderr, "sctrace: run %u: %s\n", run, note.c_str());
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
    if (failures == 0) {
        std::fprintf(stderr, "sctrace: passed all %u runs\n", runs_);
    } else if (failures == runs_) {
        std::fprintf(stderr, "sctrace: failed %u of %u runs (every run)\n", runs_, runs_);
    } else {
        std::fprintf(stderr, "sctrace: flaky: failed %zu of %u runs (run%s %s)\n", failures, runs_,
                     failures == 1 ? "" : "s", run_list(failed_).c_str());
    }
    return copied;
}

}  // namespace sctrace
