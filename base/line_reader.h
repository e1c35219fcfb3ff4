// Reading text input line by line: plain files, gzip-compressed files (by
// their magic bytes, whatever their name) and standard input ("-").
#pragma once

#include <memory>
#include <string>

namespace sctrace {

class LineReader {
public:
    virtual ~LineReader() = default;
    // The next line without its '\n'. False at the end of the input.
    virtual bool next(std::string& line) = 0;
    // Bytes consumed so far (compressed bytes for gzip), for progress.
    virtual std::size_t bytes_read() const = 0;

    // Opens `path` ("-": stdin). Throws std::runtime_error naming the path.
    static std::unique_ptr<LineReader> open(const std::string& path);
};

}  // namespace sctrace
