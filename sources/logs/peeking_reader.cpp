#include "sources/logs/peeking_reader.h"

namespace sctrace::logs {

const std::vector<std::string>& PeekingReader::peek(std::size_t n) {
    std::string line;
    while (peeked_.size() < n && !overlong_at_ && inner_->next(line)) {
        peeked_.push_back(line);
        if (inner_->overlong()) overlong_at_ = peeked_.size();
    }
    return peeked_;
}

bool PeekingReader::next(std::string& line) {
    if (replayed_ < peeked_.size()) {
        line = std::move(peeked_[replayed_++]);
        return true;
    }
    ++replayed_;
    return inner_->next(line);
}

bool PeekingReader::overlong() const {
    if (replayed_ <= peeked_.size()) return overlong_at_ != 0 && overlong_at_ == replayed_;
    return inner_->overlong();
}

}  // namespace sctrace::logs
