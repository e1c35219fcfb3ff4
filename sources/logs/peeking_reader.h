// A LineReader that can be looked into before it is read: the lines looked
// at are read again. Standard input cannot be opened twice, so a log's first
// lines are judged (which format, which flags) through one of these.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "base/line_reader.h"

namespace sctrace::logs {

class PeekingReader final : public LineReader {
public:
    explicit PeekingReader(std::unique_ptr<LineReader> inner) : inner_(std::move(inner)) {}

    // The first `n` lines (fewer at the end of the input), up to and
    // including an overlong one: the rest of that may never end.
    const std::vector<std::string>& peek(std::size_t n);

    bool next(std::string& line) override;
    bool overlong() const override;
    std::size_t bytes_read() const override { return inner_->bytes_read(); }

private:
    std::unique_ptr<LineReader> inner_;
    std::vector<std::string> peeked_;
    std::size_t overlong_at_ = 0;  // 1-based index of an overlong peeked line, 0 none
    std::size_t replayed_ = 0;
};

}  // namespace sctrace::logs
