// LineReader: lines out of files, stdin and gzip, with a length limit that
// keeps memory bounded on input that is not a log at all.
#include "base/line_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace sctrace {
namespace {

class TempPath {
public:
    TempPath() {
        char path[] = "/tmp/line_reader_test_XXXXXX";
        const int fd = ::mkstemp(path);
        EXPECT_GE(fd, 0);
        ::close(fd);
        path_ = path;
    }
    ~TempPath() { ::unlink(path_.c_str()); }
    const std::string& str() const { return path_; }
    void write(const std::string& bytes) const { std::ofstream(path_, std::ios::binary) << bytes; }
    void write_gzip(const std::string& bytes) const {
        gzFile gz = gzopen(path_.c_str(), "wb");
        ASSERT_NE(gz, nullptr);
        ASSERT_EQ(gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size())),
                  static_cast<int>(bytes.size()));
        gzclose(gz);
    }

private:
    std::string path_;
};

struct Line {
    std::string text;
    bool overlong;
    bool operator==(const Line&) const = default;
};

std::vector<Line> read_all(const std::string& path, std::size_t max_line) {
    auto reader = LineReader::open(path, max_line);
    std::vector<Line> lines;
    std::string line;
    while (reader->next(line)) lines.push_back({line, reader->overlong()});
    return lines;
}

TEST(LineReader, LinesUpToTheLimitAreWholeAndLongerOnesAreSkippedAndMarked) {
    TempPath file;
    // 8 bytes is the limit: "12345678" fits, the 9- and 20-byte lines do not.
    file.write("short\n12345678\n123456789\n" + std::string(20, 'x') + "\nafter\nlast");
    const std::vector<Line> expected{{"short", false}, {"12345678", false}, {"", true},
                                     {"", true},       {"after", false},    {"last", false}};
    EXPECT_EQ(read_all(file.str(), 8), expected);
}

TEST(LineReader, AnOverlongLineLongerThanTheReadBlockIsSkippedWhole) {
    // Blocks are 1 MiB: the line spans several, and nothing of it leaks into
    // the next line.
    TempPath file;
    file.write("a\n" + std::string((3 << 20) + 17, 'z') + "\nb\n");
    const std::vector<Line> expected{{"a", false}, {"", true}, {"b", false}};
    EXPECT_EQ(read_all(file.str(), 1 << 20), expected);
}

TEST(LineReader, AnOverlongLastLineWithoutNewlineEndsTheInput) {
    TempPath file;
    file.write("a\n" + std::string(100, '\0'));
    const std::vector<Line> expected{{"a", false}, {"", true}};
    EXPECT_EQ(read_all(file.str(), 64), expected);
}

TEST(LineReader, GzipInputHasTheSameLimit) {
    TempPath file;
    file.write_gzip("one\n" + std::string(5000, 'q') + "\ntwo\n");
    const std::vector<Line> expected{{"one", false}, {"", true}, {"two", false}};
    EXPECT_EQ(read_all(file.str(), 1000), expected);
}

TEST(LineReader, TheDefaultLimitHoldsAMegabyteLine) {
    TempPath file;
    const std::string big(3 << 20, 'y');
    file.write(big + "\n");
    auto reader = LineReader::open(file.str());
    std::string line;
    ASSERT_TRUE(reader->next(line));
    EXPECT_FALSE(reader->overlong());
    EXPECT_EQ(line.size(), big.size());
    EXPECT_FALSE(reader->next(line));
}

}  // namespace
}  // namespace sctrace
