#include "base/line_reader.h"

#include <fcntl.h>
#include <unistd.h>
#include <zlib.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace sctrace {

namespace {

// Reads blocks from a source function and splits them into lines; lines
// longer than the block are assembled in `line`, up to `max_line` bytes:
// memory stays bounded by the limit whatever the input.
class BlockLineReader : public LineReader {
public:
    explicit BlockLineReader(std::size_t max_line) : max_line_(max_line) {}

    bool next(std::string& line) override {
        line.clear();
        overlong_ = false;
        while (true) {
            if (pos_ < end_) {
                const char* start = buf_.data() + pos_;
                const void* nl = std::memchr(start, '\n', end_ - pos_);
                const std::size_t n =
                    nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - start)
                       : end_ - pos_;
                pos_ += n;
                if (nl) ++pos_;
                if (skipping_) {  // the rest of an overlong line
                    skipping_ = !nl;
                    continue;
                }
                if (n > max_line_ - line.size()) {
                    // Too long: let go of what was assembled (its memory
                    // too) and skip the rest, which may never end.
                    std::string().swap(line);
                    overlong_ = true;
                    skipping_ = !nl;
                    return true;
                }
                line.append(start, n);
                if (nl) return true;
            }
            if (eof_) return !line.empty();
            const long n = fill(buf_.data(), buf_.size());
            if (n <= 0) {
                eof_ = true;
                continue;
            }
            pos_ = 0;
            end_ = static_cast<std::size_t>(n);
        }
    }
    bool overlong() const override { return overlong_; }
    std::size_t bytes_read() const override { return consumed_; }

protected:
    // Reads up to `size` bytes; <= 0 at the end.
    virtual long fill(char* out, std::size_t size) = 0;
    std::size_t consumed_ = 0;

private:
    std::vector<char> buf_ = std::vector<char>(1 << 20);
    std::size_t pos_ = 0, end_ = 0;
    bool eof_ = false;
    std::size_t max_line_;
    bool overlong_ = false;  // the line last returned was too long
    bool skipping_ = false;  // inside the rest of an overlong line
};

class FdReader final : public BlockLineReader {
public:
    FdReader(int fd, bool owned, std::string name, std::size_t max_line)
        : BlockLineReader(max_line), fd_(fd), owned_(owned), name_(std::move(name)) {}
    ~FdReader() override {
        if (owned_) ::close(fd_);
    }

private:
    long fill(char* out, std::size_t size) override {
        while (true) {
            const ssize_t n = ::read(fd_, out, size);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) throw std::runtime_error(name_ + ": " + std::strerror(errno));
            consumed_ += static_cast<std::size_t>(n);
            return n;
        }
    }
    int fd_;
    bool owned_;
    std::string name_;
};

class GzReader final : public BlockLineReader {
public:
    GzReader(gzFile file, std::string name, std::size_t max_line)
        : BlockLineReader(max_line), file_(file), name_(std::move(name)) {}
    ~GzReader() override { gzclose(file_); }

private:
    long fill(char* out, std::size_t size) override {
        const int n = gzread(file_, out, static_cast<unsigned>(size));
        if (n < 0) {
            int code = 0;
            throw std::runtime_error(name_ + ": corrupt gzip data: " + gzerror(file_, &code));
        }
        consumed_ = static_cast<std::size_t>(gzoffset(file_));
        return n;
    }
    gzFile file_;
    std::string name_;
};

}  // namespace

std::unique_ptr<LineReader> LineReader::open(const std::string& path, std::size_t max_line) {
    int fd = STDIN_FILENO;
    const bool is_stdin = path == "-";
    if (!is_stdin) {
        fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw std::runtime_error(path + ": " + std::strerror(errno));
    }
    // gzip by content: two magic bytes. Only for files we can seek back in.
    unsigned char magic[2] = {0, 0};
    if (!is_stdin && ::pread(fd, magic, 2, 0) == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
        gzFile gz = gzdopen(fd, "rb");
        if (!gz) {
            ::close(fd);
            throw std::runtime_error(path + ": cannot open as gzip");
        }
        gzbuffer(gz, 1 << 20);
        return std::make_unique<GzReader>(gz, path, max_line);
    }
    return std::make_unique<FdReader>(fd, !is_stdin, is_stdin ? "standard input" : path, max_line);
}

}  // namespace sctrace
