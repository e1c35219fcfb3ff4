#include "report/strace_thread_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace sctrace {

StraceThreadFiles::StraceThreadFiles(std::string prefix, bool append, SyscallSet display,
                                     StraceLayout layout)
    : prefix_(std::move(prefix)), append_(append), display_(display), layout_(std::move(layout)) {
    layout_.pid_prefix = StraceLayout::PidPrefix::Never;
}

StraceThreadFiles::~StraceThreadFiles() {
    for (auto& [tid, file] : files_) close(file);
}

StraceThreadFiles::ThreadFile& StraceThreadFiles::file_of(pid_t tid) {
    if (auto it = files_.find(tid); it != files_.end()) return it->second;
    ThreadFile& file = files_[tid];
    const std::string path = prefix_ + "." + std::to_string(tid);
    file.fd.reset(::open(path.c_str(),
                         O_WRONLY | O_CREAT | O_CLOEXEC | (append_ ? O_APPEND : O_TRUNC), 0644));
    if (!file.fd) {
        // strace gives up the whole trace here; the command is not to pay
        // for our output, so only this thread's lines are lost.
        std::fprintf(stderr, "sctrace: Can't fopen '%s': %s\n", path.c_str(), std::strerror(errno));
        lost_ = true;
        return file;
    }
    file.writer = std::make_unique<StraceWriter>(file.fd.get(), display_, path, layout_);
    return file;
}

void StraceThreadFiles::close(ThreadFile& file) {
    if (!file.writer) return;
    file.writer->on_end();
    if (file.writer->output().lost()) lost_ = true;
    file.writer.reset();
    if (file.fd && ::close(file.fd.release()) != 0) lost_ = true;
}

void StraceThreadFiles::on_event(const Event& event) {
    if (const ExecEvent* exec = event.exec(); exec && exec->former_tid != event.tid) {
        // A thread that is not the leader exec'd and took the leader's id:
        // as strace does, its file is told and closed, and the thread goes
        // on in the leader's file.
        if (auto it = files_.find(exec->former_tid); it != files_.end()) {
            if (it->second.writer) it->second.writer->pid_changed(event.tid);
            close(it->second);
            files_.erase(it);
        }
    }
    ThreadFile& file = file_of(event.tid);
    if (const SpawnEvent* spawn = event.spawn()) file_of(spawn->child_tid);
    last_tid_ = event.tid;
    if (file.writer) file.writer->on_event(event);
    if (event.kind == EventKind::Exit) {
        // Nothing follows a thread's end: its file is done (strace closes
        // it then too, so a long run does not hold a descriptor per thread).
        close(file);
        files_.erase(event.tid);
    }
}

void StraceThreadFiles::at_safe_point(StackTaker& stacks) {
    if (auto it = files_.find(last_tid_); it != files_.end() && it->second.writer) {
        it->second.writer->at_safe_point(stacks);
    }
}

void StraceThreadFiles::on_end() {
    for (auto& [tid, file] : files_) close(file);
}

bool StraceThreadFiles::lost() const {
    return lost_;
}

}  // namespace sctrace
