// Pipeline members for schema changes and for views that do not match their source database.
//
// Why a schema change re-reads the whole source: the replicas hold rows as they were decoded,
// under the old column names and types, and the binlog carries no row images for what an ALTER
// does to existing rows (ADD COLUMN ... DEFAULT fills every row without a rows event; DROP/RENAME
// COLUMN and MODIFY rewrite them silently). A fresh consistent snapshot is the one read that is
// provably right against concurrent writes: it is consistent with a binlog position, and the
// stream resumes from exactly there. Re-reading only the changed table would need a snapshot of
// that table at the DDL's position, which the server cannot give once later writes landed.
// The cost is a snapshot of the source's view tables and a rewrite of their documents (the
// post-snapshot reconciliation removes documents of rows that went away meanwhile).
#include <algorithm>

#include "pipeline/pipeline_runs.h"
#include "pipeline/view_validation.h"

namespace weft::pipeline {
namespace {

std::string Shortened(const std::string& statement) {
  constexpr size_t kMax = 200;
  std::string s;
  for (char c : statement) s.push_back(c == '\n' || c == '\r' || c == '\t' ? ' ' : c);
  return s.size() <= kMax ? s : s.substr(0, kMax) + "...";
}

std::string JoinLines(const std::vector<std::string>& lines, const std::string& separator) {
  std::string out;
  for (const auto& l : lines) out += (out.empty() ? "" : separator) + l;
  return out;
}

}  // namespace

core::Status Pipeline::ValidateViewsAtStart() {
  std::vector<std::string> problems;
  for (const auto& source : config_.sources) {
    bool used = std::any_of(config_.views.begin(), config_.views.end(),
                            [&](const config::ViewConfig& v) { return v.source == source.name; });
    if (!used) continue;
    auto found = ValidateSourceViews(source, config_.views, factories_.load_catalog);
    if (!found.ok()) {
      // The source's own start reports an unreachable server or refused user, with its fix.
      log_.Warn("cannot check the views of source " + source.name + " against its database now (" +
                found.status().message() + ")");
      continue;
    }
    for (const auto& p : *found) problems.push_back(p.message);
  }
  if (problems.empty()) return core::Status::Ok();
  return core::InvalidArgument(
      std::to_string(problems.size()) + (problems.size() == 1 ? " problem" : " problems") +
      " between the views of " + config_.path + " and the source database; nothing was started:\n  " +
      JoinLines(problems, "\n  "));
}

bool Pipeline::SchemaChangeTouchesViews(const std::string& source, const change::Change& ddl,
                                        const source::SchemaEffect& effect) {
  const config::SourceConfig* source_config = config_.FindSource(source);
  if (!source_config || options_.oneshot) return false;  // --oneshot reads one snapshot, no stream
  std::vector<std::string> read = engine_->TablesFor(source);
  std::vector<std::string> touched;
  for (const auto& t : effect.tables) {
    if (std::find(read.begin(), read.end(), t) != read.end()) touched.push_back(t);
  }
  if (effect.whole_database) touched = read;
  if (touched.empty()) {
    log_.Debug("source " + source + ": schema change on tables no view reads, ignored: " + Shortened(ddl.statement));
    return false;
  }
  log_.Info("schema change on " + JoinLines(touched, ", ") + ": " + Shortened(ddl.statement) + " -- re-reading source " +
            source);
  return true;
}

core::Status Pipeline::StopMismatchedViews(const std::string& source, const std::string& statement) {
  std::vector<config::ViewConfig> running;
  for (const auto& view : config_.views) {
    if (view.source == source && !engine_->Stopped(view.name)) running.push_back(view);
  }
  if (running.empty()) return core::Status::Ok();
  auto found = ValidateSourceViews(*config_.FindSource(source), running, factories_.load_catalog);
  if (!found.ok()) return found.status().WithContext("checking the views of source " + source + " after a schema change");
  // One rule with `weft check`, `weft verify` and the next start: a view stops when the source no
  // longer has a table or column its config names. (An `exclude` column renamed would otherwise
  // show up under its new name.)
  std::map<std::string, std::vector<std::string>> fatal;
  for (const auto& p : *found) fatal[p.view].push_back(p.message);
  bool others_go_on = std::any_of(config_.views.begin(), config_.views.end(), [&](const config::ViewConfig& v) {
    return !engine_->Stopped(v.name) && !fatal.count(v.name);
  });
  for (const auto& [view, messages] : fatal) {
    std::string error = "view '" + view + "' stopped after a schema change on source " + source + " (" +
                        Shortened(statement) + "): " + JoinLines(messages, "; ") +
                        ". Its documents stay in the sink as they were" +
                        (others_go_on ? "; the other views go on" : "") + ". Once fixed, restart weft";
    core::Logger("view:" + view).Error(error);
    engine_->StopView(view);
    registry_.ViewStopped(view, error);
  }
  if (!others_go_on && !fatal.empty()) {
    return core::FailedPrecondition("every view has stopped (see the errors above): nothing is left to keep current");
  }
  return core::Status::Ok();
}

}  // namespace weft::pipeline
