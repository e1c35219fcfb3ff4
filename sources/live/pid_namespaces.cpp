#include "sources/live/pid_namespaces.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "base/unique_fd.h"

namespace sctrace {

namespace {

// Deeper than the kernel allows (32 levels), so a chain is never cut short.
constexpr std::size_t kMaxDepth = 33;

// The /proc/ID/status line listing a kind of id at every namespace level.
std::string_view status_key(PidKind kind) {
    switch (kind) {
        case PidKind::Tid:
            return "NSpid:";
        case PidKind::Tgid:
            return "NStgid:";
        case PidKind::Pgid:
            return "NSpgid:";
        case PidKind::Sid:
            return "NSsid:";
    }
    return "NSpid:";
}

std::optional<pid_t> parse_id(std::string_view text) {
    pid_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// The ids a status file lists after `key`, in its order.
std::vector<pid_t> status_ids(const std::string& path, std::string_view key) {
    std::vector<pid_t> ids;
    FILE* f = std::fopen(path.c_str(), "re");
    if (!f) return ids;
    char line[512];
    while (std::fgets(line, sizeof line, f)) {
        std::string_view text(line);
        if (!text.starts_with(key)) continue;
        text.remove_prefix(key.size());
        while (!text.empty()) {
            const auto start = text.find_first_not_of(" \t\n");
            if (start == std::string_view::npos) break;
            text.remove_prefix(start);
            const auto end = text.find_first_of(" \t\n");
            const auto id = parse_id(text.substr(0, end));
            if (!id) break;
            ids.push_back(*id);
            text.remove_prefix(end == std::string_view::npos ? text.size() : end);
        }
        break;
    }
    std::fclose(f);
    return ids;
}

std::uint64_t inode_of(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

bool is_number(const char* name) {
    return name[0] >= '1' && name[0] <= '9' && parse_id(name).has_value();
}

}  // namespace

PidNamespaces::PidNamespaces(std::string proc) : proc_(std::move(proc)) {}

bool PidNamespaces::proc_is_ours() {
    // /proc/self is sctrace in /proc's namespace; its NSpid line lists one id
    // per level from there down to sctrace's own: one when they are the same.
    if (!proc_is_ours_) proc_is_ours_ = status_ids(proc_ + "/self/status", "NSpid:").size() <= 1;
    return *proc_is_ours_;
}

std::uint64_t PidNamespaces::our_namespace() {
    if (our_ns_ == 0) our_ns_ = inode_of(proc_ + "/self/ns/pid");
    return our_ns_;
}

std::uint64_t PidNamespaces::namespace_of(pid_t proc_entry) {
    return inode_of(proc_ + "/" + std::to_string(proc_entry) + "/ns/pid");
}

std::optional<PidNamespaces::Entry> PidNamespaces::read_entry(const std::string& name,
                                                              PidKind kind) {
    Entry entry;
    UniqueFd ns(::open((proc_ + "/" + name + "/ns/pid").c_str(), O_RDONLY | O_CLOEXEC));
    while (ns && entry.namespaces.size() < kMaxDepth) {
        struct stat st {};
        if (::fstat(ns.get(), &st) != 0) break;
        entry.namespaces.push_back(st.st_ino);
        // EPERM past sctrace's own namespace: the chain ends there.
        UniqueFd parent(::ioctl(ns.get(), NS_GET_PARENT));
        ns = std::move(parent);
    }
    if (entry.namespaces.empty()) return std::nullopt;
    entry.ids = status_ids(proc_ + "/" + name + "/status", status_key(kind));
    if (entry.ids.size() < entry.namespaces.size()) return std::nullopt;
    return entry;
}

std::pair<pid_t, pid_t> PidNamespaces::match(std::uint64_t ns, pid_t id, PidKind kind,
                                             pid_t proc_entry) {
    const auto entry = read_entry(std::to_string(proc_entry), kind);
    if (!entry) return {0, 0};
    const std::size_t depth = entry->namespaces.size();
    for (std::size_t level = 0; level < depth; ++level) {
        if (entry->namespaces[level] != ns) continue;
        if (entry->ids[entry->ids.size() - 1 - level] != id) return {0, 0};
        // The last namespace of the chain is sctrace's: its id is ours.
        return {entry->ids[entry->ids.size() - depth], proc_entry};
    }
    return {0, 0};
}

std::pair<pid_t, pid_t> PidNamespaces::find(std::uint64_t ns, pid_t id, PidKind kind) {
    const auto key = std::make_tuple(ns, id, kind);
    if (auto it = found_.find(key); it != found_.end()) {
        // Checked again: the process may be gone and its entry reused.
        if (const auto hit = match(ns, id, kind, it->second); hit.first != 0) return hit;
        found_.erase(it);
    }
    DIR* dir = ::opendir(proc_.c_str());
    if (!dir) return {0, 0};
    std::pair<pid_t, pid_t> result{0, 0};
    while (const dirent* process = ::readdir(dir)) {
        if (!is_number(process->d_name)) continue;
        // Threads first, then the process: a thread's id is a tid, found
        // under its process's task folder.
        if (DIR* tasks = ::opendir((proc_ + "/" + process->d_name + "/task").c_str())) {
            while (const dirent* task = ::readdir(tasks)) {
                if (!is_number(task->d_name)) continue;
                result = match(ns, id, kind, *parse_id(task->d_name));
                if (result.first != 0) break;
            }
            ::closedir(tasks);
        }
        if (result.first == 0) result = match(ns, id, kind, *parse_id(process->d_name));
        if (result.first != 0) break;
    }
    ::closedir(dir);
    if (result.first != 0) found_[key] = result.second;
    return result;
}

pid_t PidNamespaces::proc_id(pid_t ours) {
    if (proc_is_ours()) return ours;
    return find(our_namespace(), ours, PidKind::Tid).second;
}

pid_t PidNamespaces::id_of(pid_t ours, PidKind kind) {
    const pid_t entry = proc_id(ours);
    if (entry == 0) return 0;
    const auto e = read_entry(std::to_string(entry), kind);
    return e ? e->ids[e->ids.size() - e->namespaces.size()] : 0;
}

pid_t PidNamespaces::to_ours(pid_t tracee, pid_t id, PidKind kind) {
    if (id <= 0) return 0;
    const pid_t entry = proc_id(tracee);
    if (entry == 0) return 0;
    const std::uint64_t ns = namespace_of(entry);
    if (ns == 0) return 0;
    if (ns == our_namespace()) return id;
    return find(ns, id, kind).first;
}

}  // namespace sctrace
