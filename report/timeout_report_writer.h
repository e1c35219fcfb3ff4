// --timeout's report for people: what every traced thread was doing when the
// deadline passed, with its stack, each line starting with "sctrace:".
#pragma once

#include <cstdio>

#include "model/timeout_report.h"

namespace sctrace {

class TimeoutReportWriter final : public TimeoutReportSink {
public:
    explicit TimeoutReportWriter(FILE* out) : out_(out) {}
    void on_timeout(const TimeoutReport& report) override;

private:
    FILE* out_;
};

}  // namespace sctrace
