// Snapshot progress: the bar line, and the log lines when stderr is not a terminal.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "status/progress.h"

using namespace weft::status;

namespace {

// Captures what is written to stderr (fd 2) while alive.
class StderrCapture {
 public:
  StderrCapture() {
    std::fflush(stderr);
    saved_ = dup(2);
    std::snprintf(path_, sizeof path_, "/tmp/weft_progress_test_XXXXXX");
    int fd = mkstemp(path_);
    dup2(fd, 2);
    close(fd);
  }
  ~StderrCapture() { Restore(); unlink(path_); }
  std::string Text() {
    Restore();
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  void Restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
    saved_ = -1;
  }
  int saved_ = -1;
  char path_[64];
};

Report Snapshotting(uint64_t done, bool table_done) {
  Report r;
  SourceFigures s;
  s.name = "shop";
  s.state = RunState::kSnapshotting;
  s.has_snapshot = true;
  s.rows_total = done;
  s.snapshot_tables = {{"ecom_orders", done, 100000, 10000, table_done, 2500}};
  r.sources.push_back(s);
  return r;
}

}  // namespace

TEST_CASE("the bar line: percentage, ETA, rate, rows; cut to the terminal's width") {
  TableProgress t{"ecom_orders", 45000, 100000, 11000, false, 4000};
  CHECK(FormatProgressBar("shop", t, 200) ==
        "shop.ecom_orders [#########...........]  45% ETA 5s 11000 rows/s, 45000/~100000 rows");
  CHECK(FormatProgressBar("shop", t, 40).size() == 39);
  TableProgress over{"t", 150, 100, 0, false, 0};  // past the server's estimate
  CHECK(FormatProgressBar("s", over, 200) == "s.t [###################.] 0 rows/s, 150 rows");
}

TEST_CASE("not a terminal: a progress line every 5 s, one line per finished table") {
  StderrCapture capture;
  {
    ProgressDisplay display(false);
    display.Update(Snapshotting(1000, false), 0);
    display.Update(Snapshotting(20000, false), 4999);  // too early
    display.Update(Snapshotting(50000, false), 5000);
    display.Update(Snapshotting(60000, false), 6000);  // too early again
    display.Update(Snapshotting(100000, true), 7000);
    display.Update(Snapshotting(100000, true), 20000);  // logged once
  }
  std::string text = capture.Text();
  CHECK(text.find("source.mysql:shop  snapshot: table ecom_orders 50000/~100000 rows (50%), 10000.0 rows/s, ETA 5s; "
                  "50000 rows in all") != std::string::npos);
  CHECK(text.find("20000/~") == std::string::npos);
  CHECK(text.find("60000/~") == std::string::npos);
  const std::string done_line = "snapshot: table ecom_orders done: 100000 rows in 2.5 s (40000 rows/s)";
  size_t done = text.find(done_line);
  CHECK(done != std::string::npos);
  CHECK(text.find("done:", done + done_line.size()) == std::string::npos);
  CHECK(text.find("\033[") == std::string::npos);  // no terminal escapes in a log file
}

TEST_CASE("a terminal: the bars are the log's footer, redrawn at most every 200 ms, removed when done") {
  StderrCapture capture;
  {
    ProgressDisplay display(true);
    display.Update(Snapshotting(10000, false), 0);
    display.Update(Snapshotting(20000, false), 100);  // too soon to redraw
    display.Update(Snapshotting(30000, false), 200);
    Report done = Snapshotting(100000, true);
    done.sources[0].state = RunState::kStreaming;
    display.Update(done, 250, true);
  }
  std::string text = capture.Text();
  CHECK(text.find("shop.ecom_orders [##..................]  10%") != std::string::npos);
  CHECK(text.find("20000/~") == std::string::npos);
  CHECK(text.find("shop.ecom_orders [######..............]  30%") != std::string::npos);
  // The last bar is erased (carriage return + erase line) before the table's line is logged.
  size_t erase = text.rfind("\r\033[K");
  size_t done = text.find("snapshot: table ecom_orders done");
  REQUIRE(erase != std::string::npos);
  REQUIRE(done != std::string::npos);
  CHECK(erase < done);
  CHECK(text.substr(done).find("[#") == std::string::npos);  // no bar after it
}
