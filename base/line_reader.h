// Reading text input line by line: plain files, gzip-compressed files (by
// their magic bytes, whatever their name) and standard input ("-").
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace sctrace {

class LineReader {
public:
    // The longest line kept. strace accepts -s up to nearly 1 GiB, and a
    // string of N bytes prints as up to 4N characters, so no limit fits every
    // line strace can write; 64 MiB holds a 16 MiB buffer printed with -s
    // 16777216 -xx, far beyond what real logs carry, and keeps memory bounded
    // on input that is not a log at all (/dev/zero is one endless line).
    static constexpr std::size_t kMaxLineBytes = std::size_t{64} << 20;

    virtual ~LineReader() = default;
    // The next line without its '\n'. False at the end of the input. A line
    // longer than the reader's limit is not kept: next() returns true with
    // `line` empty and overlong() true, and the rest of that line is skipped
    // (read, never stored) by the call after.
    virtual bool next(std::string& line) = 0;
    // The line last returned by next() was longer than the limit.
    virtual bool overlong() const = 0;
    // Bytes consumed so far (compressed bytes for gzip), for progress.
    virtual std::size_t bytes_read() const = 0;

    // Opens `path` ("-": stdin). Throws std::runtime_error naming the path.
    // `max_line`: the longest line kept (tests use small ones).
    static std::unique_ptr<LineReader> open(const std::string& path,
                                            std::size_t max_line = kMaxLineBytes);
};

}  // namespace sctrace
