// strace -ff -o PREFIX: every traced thread's lines in a file of its own,
// PREFIX.TID, in strace's layout for it: no thread id before the lines, and
// a call's line never split, since no other thread writes in between.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "base/unique_fd.h"
#include "model/event.h"
#include "model/syscall_set.h"
#include "report/event_writer.h"

namespace sctrace {

class StraceThreadFiles final : public EventSink {
public:
    // `layout` is used for every file, with PidPrefix::Never. `append`: -A,
    // the files are appended to rather than truncated.
    StraceThreadFiles(std::string prefix, bool append, SyscallSet display, StraceLayout layout);
    ~StraceThreadFiles() override;

    // A thread's file is created with its first event, or when its creator
    // reports it (as strace creates it for every thread it traces, lines or
    // not).
    void on_event(const Event& event) override;
    void at_safe_point(StackTaker& stacks) override;
    void on_end() override;

    // Whether a file could not be created or written: output was lost.
    bool lost() const;

private:
    struct ThreadFile {
        UniqueFd fd;
        std::unique_ptr<StraceWriter> writer;  // null when the file could not be created
    };
    ThreadFile& file_of(pid_t tid);
    void close(ThreadFile& file);

    std::string prefix_;
    bool append_;
    SyscallSet display_;
    StraceLayout layout_;
    std::unordered_map<pid_t, ThreadFile> files_;
    pid_t last_tid_ = 0;  // the thread of the last event (its stack, -k)
    bool lost_ = false;
};

}  // namespace sctrace
