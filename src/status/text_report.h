#pragma once
// The figures as text for `weft status`, one line per view in the spirit of TapFlow's:
//   order_single_view: streaming, qps 3521.2, total rows 99441, delay 332ms, documents 97 (1.2/s), outbox 0, dead letters 0
// (qps: row changes per second into the view over the last 10 s), then a line per source, the
// snapshot's tables while one runs, and a sink's error while it is retrying.

#include <cstdint>
#include <string>

#include "status/figures.h"

namespace weft::status {

std::string FormatReportText(const Report& report);
std::string FormatViewLine(const ViewFigures& view);
// "332ms", "12.5s", "7m05s", "3h02m".
std::string FormatDuration(int64_t ms);
// "52000/~100000 rows (52%), 12000.0 rows/s, ETA 4s" (the parts that are known).
std::string FormatTableProgress(const TableProgress& table);

}  // namespace weft::status
