#pragma once
// The figures in the Prometheus text exposition format (version 0.0.4), for `GET /metrics`. Every
// metric is prefixed weft_, has HELP and TYPE lines, and is labelled by source, or by view (with its
// source or sink). Counters count since this weft process started (Prometheus handles the reset at
// a restart); use rate(weft_rows_total[1m]) for throughput.

#include <string>
#include <string_view>

#include "status/figures.h"

namespace weft::status {

inline constexpr char kPrometheusContentType[] = "text/plain; version=0.0.4; charset=utf-8";

std::string RenderPrometheus(const Report& report);

// A label value with \, " and newline escaped as the format requires.
std::string EscapeLabelValue(std::string_view value);

}  // namespace weft::status
