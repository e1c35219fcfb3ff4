#include "engine/rules/rule_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "base/unique_fd.h"

namespace sctrace::rules {

namespace {

std::string reason(int error) {
    return std::strerror(error);
}

// What a non-regular file is, in words.
std::string kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a folder";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a regular file";
}

std::string too_big(std::size_t size) {
    return "is " + std::to_string(size) + " bytes; a rule file is at most " +
           std::to_string(kMaxRuleFileBytes) + " bytes (1 MiB)";
}

bool has_rule_extension(std::string_view name) {
    return name.ends_with(".yaml") || name.ends_with(".yml");
}

class Reader {
public:
    explicit Reader(RuleFiles& out) : out_(out) {}

    void path(const std::string& path) {
        struct stat st {};
        // stat() follows a symbolic link: the target is what must qualify.
        if (::stat(path.c_str(), &st) != 0)
            return problem(path, "cannot open it: " + reason(errno));
        if (S_ISDIR(st.st_mode)) return folder(path);
        file(AT_FDCWD, path, path);
    }

private:
    void problem(const std::string& path, std::string message) {
        out_.problems.push_back({path, std::move(message)});
    }

    // One file: `name` relative to `dir` (AT_FDCWD: as given), `shown` in
    // messages. Checked before opening (a device is never opened), opened
    // non-blocking (a FIFO that appeared in between cannot block), checked
    // again on the open descriptor, then read to the size limit.
    void file(int dir, const std::string& name, const std::string& shown) {
        struct stat st {};
        if (::fstatat(dir, name.c_str(), &st, 0) != 0) {
            return problem(shown, "cannot open it: " + reason(errno));
        }
        if (!S_ISREG(st.st_mode)) {
            return problem(shown, "is " + kind_of(st.st_mode) +
                                      (S_ISDIR(st.st_mode) ? " inside a rule folder (folders are "
                                                             "not searched recursively)"
                                                           : ", not a regular file"));
        }
        UniqueFd fd(::openat(dir, name.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
        if (!fd) return problem(shown, "cannot open it: " + reason(errno));
        if (::fstat(fd.get(), &st) != 0) return problem(shown, "cannot stat it: " + reason(errno));
        if (!S_ISREG(st.st_mode)) {
            return problem(shown, "is " + kind_of(st.st_mode) + ", not a regular file");
        }
        if (static_cast<std::size_t>(st.st_size) > kMaxRuleFileBytes) {
            return problem(shown, too_big(static_cast<std::size_t>(st.st_size)));
        }
        // The size stat gives is not trusted (/proc files say 0, a file may
        // grow): read up to one byte past the limit.
        std::string text;
        text.resize(std::min<std::size_t>(static_cast<std::size_t>(st.st_size), kMaxRuleFileBytes) +
                    1);
        std::size_t used = 0;
        while (true) {
            if (used == text.size()) {
                if (used > kMaxRuleFileBytes) return problem(shown, too_big(used));
                text.resize(std::min(text.size() * 2 + 4096, kMaxRuleFileBytes + 1));
            }
            const ssize_t n = ::read(fd.get(), text.data() + used, text.size() - used);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return problem(shown, "cannot read it: " + reason(errno));
            if (n == 0) break;
            used += static_cast<std::size_t>(n);
        }
        if (used > kMaxRuleFileBytes) return problem(shown, too_big(used));
        text.resize(used);
        out_.files.push_back({shown, std::move(text)});
    }

    void folder(const std::string& path) {
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NONBLOCK | O_CLOEXEC));
        if (!fd) return problem(path, "cannot open the folder: " + reason(errno));
        const int dir_fd = fd.get();
        std::unique_ptr<DIR, int (*)(DIR*)> dir(::fdopendir(dir_fd), ::closedir);
        if (!dir) return problem(path, "cannot list the folder: " + reason(errno));
        fd.release();  // the DIR owns it now
        std::vector<std::string> names;
        while (true) {
            errno = 0;
            const dirent* entry = ::readdir(dir.get());
            if (!entry) {
                if (errno != 0) return problem(path, "cannot list the folder: " + reason(errno));
                break;
            }
            if (has_rule_extension(entry->d_name)) names.emplace_back(entry->d_name);
        }
        if (names.empty()) {
            return problem(path, "the folder holds no rule file (*.yaml or *.yml)");
        }
        std::sort(names.begin(), names.end());
        const std::string prefix = path.ends_with('/') ? path : path + "/";
        for (const std::string& name : names) file(::dirfd(dir.get()), name, prefix + name);
    }

    RuleFiles& out_;
};

}  // namespace

RuleFiles read_rule_files(const std::vector<std::string>& paths) {
    RuleFiles out;
    Reader reader(out);
    for (const std::string& path : paths) reader.path(path);
    return out;
}

}  // namespace sctrace::rules
