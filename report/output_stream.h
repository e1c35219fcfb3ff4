// One of sctrace's outputs (-o, --findings, --sarif, --junit, --trace-json,
// findings on stderr) as the place its bytes go, and what happened to them.
//
// An output that fails must cost neither the traced command nor the other
// outputs anything: the first write error is said once on stderr,
//
//   sctrace: /dev/full: No space left on device: output lost from here on
//
// and everything written to the output after it is dropped. The owner asks
// lost() at the end to make the exit status say so (docs/cli.md).
#pragma once

#include <string>
#include <string_view>

namespace sctrace {

class OutputStream {
public:
    // `fd` is not owned. `name` is what the message calls the output: its
    // path, or "stderr". `program` starts the message ("sctrace",
    // "sctrace analyze").
    OutputStream(int fd, std::string name, std::string program = "sctrace");

    // Writes all of `data` (short writes and EINTR are retried). False once
    // the output has failed, now or before; nothing is written then.
    bool write(std::string_view data);

    // Records an error found outside write() (a failed fflush or close,
    // which can report a deferred write error), with the same message once.
    void fail(int error);

    bool failed() const { return error_ != 0; }
    // The output failed in a way that lost what the user asked for: any
    // error but EPIPE. A reader that closes its pipe (`-o >(head -1)`)
    // chose to stop reading, as in any shell pipeline; that is said once
    // but is not a loss for the exit status.
    bool lost() const;
    int error() const { return error_; }
    int fd() const { return fd_; }
    const std::string& name() const { return name_; }

private:
    int fd_;
    std::string name_;
    std::string program_;
    int error_ = 0;
};

// Appends `text` to the file at `path` (created if missing), as a job
// summary is written; false after saying why on stderr
// ("PROGRAM: PATH: reason").
bool append_to_file(const std::string& path, std::string_view text, std::string_view program);

}  // namespace sctrace
