// Evidence items for the writer tests.
#pragma once

#include <string>
#include <utility>

#include "model/finding.h"

namespace sctrace {

inline rules::EvidenceItem evidence_item(rules::EvidenceItem::Kind kind, pid_t tid, int fd,
                                         std::string text) {
    rules::EvidenceItem item;
    item.kind = kind;
    item.tid = tid;
    item.fd = fd;
    item.text = std::move(text);
    return item;
}

// An event in strace's notation, the evidence a single-event rule gives.
inline rules::EvidenceItem event_evidence(std::string text) {
    return evidence_item(rules::EvidenceItem::Kind::Event, 0, -1, std::move(text));
}

}  // namespace sctrace
