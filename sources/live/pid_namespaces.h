// Process ids across pid namespaces.
//
// A tracee in a pid namespace of its own (a container, `unshare -p`) calls
// itself and its peers by ids sctrace's namespace gives other numbers; and
// /proc may be mounted from yet another namespace than sctrace's own (sctrace
// started by `unshare -p` without remounting it), where /proc/ID is not the
// process sctrace calls ID. strace translates both, as this does, from what
// /proc says: each process's namespace chain (ioctl NS_GET_PARENT on
// /proc/ID/ns/pid, up to sctrace's own namespace, beyond which the kernel
// answers EPERM) and its ids at every level (the NSpid, NStgid, NSpgid and
// NSsid lines of /proc/ID/status, from /proc's namespace down to its own).
//
// Finding a process by an id of an inner namespace means reading /proc until
// it turns up; what was found is kept, and checked again before it is used.
// When /proc is sctrace's own and the tracee shares sctrace's namespace (the
// common case) nothing is read at all.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "decoders/decoder.h"

namespace sctrace {

class PidNamespaces {
public:
    // `proc`: where procfs is mounted (tests point it elsewhere).
    explicit PidNamespaces(std::string proc = "/proc");

    // Whether /proc names processes by sctrace's own ids.
    bool proc_is_ours();

    // The /proc entry of the thread sctrace calls `ours`: `ours` itself when
    // /proc is sctrace's own; 0 when it cannot be found.
    pid_t proc_id(pid_t ours);

    // The id that thread `tracee` (sctrace's id for it) calls `id`, of kind
    // `kind`, in sctrace's namespace: `id` itself when the tracee shares
    // sctrace's namespace; 0 when there is no such process (or it cannot be
    // told).
    pid_t to_ours(pid_t tracee, pid_t id, PidKind kind);

    // Thread `ours`'s own id of kind `kind` (its thread group, its process
    // group ...) in sctrace's namespace; 0 when unknown.
    pid_t id_of(pid_t ours, PidKind kind);

private:
    // What /proc says about one entry.
    struct Entry {
        std::vector<std::uint64_t> namespaces;  // its own first, up to sctrace's
        std::vector<pid_t> ids;                 // /proc's namespace first, its own last
    };
    std::optional<Entry> read_entry(const std::string& name, PidKind kind);
    // sctrace's id (or the /proc entry) of the process that namespace `ns`
    // calls `id`: {ours, proc entry}, {0, 0} when none.
    std::pair<pid_t, pid_t> find(std::uint64_t ns, pid_t id, PidKind kind);
    std::pair<pid_t, pid_t> match(std::uint64_t ns, pid_t id, PidKind kind, pid_t entry);
    std::uint64_t our_namespace();
    std::uint64_t namespace_of(pid_t proc_entry);

    std::string proc_;
    std::optional<bool> proc_is_ours_;
    std::uint64_t our_ns_ = 0;
    // (namespace, id, kind) -> the /proc entry it was last found at.
    std::map<std::tuple<std::uint64_t, pid_t, PidKind>, pid_t> found_;
};

}  // namespace sctrace
