// A finding's evidence in words: the one renderer every writer uses (text on
// stderr, JUnit, SARIF messages, the trace JSON's "evidence" lines), and the
// names of the fields JSON writers keep beside the words.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "model/finding.h"

namespace sctrace {

// The finding's evidence as lines, unescaped: an item repeated N times is
// its line and "… and N more like it".
std::vector<std::string> evidence_lines(const rules::Finding& finding);

// An item's fields as JSON names and values, for the writers that keep them
// ("evidence_items", docs/cli.md, "Findings as JSON"): each field the
// item's kind uses, in a fixed order.
class EvidenceFieldVisitor {
public:
    virtual ~EvidenceFieldVisitor() = default;
    virtual void field(std::string_view name, std::int64_t value) = 0;
    virtual void field(std::string_view name, std::string_view value) = 0;
    virtual void field(std::string_view name, bool value) = 0;
};
void visit_evidence_fields(const rules::EvidenceItem& item, EvidenceFieldVisitor& visitor);

}  // namespace sctrace
