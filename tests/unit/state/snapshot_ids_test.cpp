#include "state/snapshot_ids.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

using namespace weft;

namespace {

struct TempDir {
  std::filesystem::path path;
  TempDir() {
    char pattern[] = "/tmp/weft_snapshot_ids_test_XXXXXX";
    path = mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string File(const std::string& name) const { return (path / name).string(); }
};

}  // namespace

TEST_CASE("snapshot ids: recorded per view, seen by a second read-only connection once committed, cleared per view") {
  TempDir dir;
  auto db = state::StateDb::Open(dir.File("state.db"));
  REQUIRE(db.ok());
  state::StateDb& s = **db;
  REQUIRE(s.Begin().ok());
  REQUIRE(state::AddSnapshotId(s, "orders", "ORD1").ok());
  REQUIRE(state::AddSnapshotId(s, "orders", "ORD1").ok());  // an id written twice is kept once
  REQUIRE(state::AddSnapshotId(s, "orders", std::string("bin\0ary", 7)).ok());
  REQUIRE(state::AddSnapshotId(s, "customers", "C9").ok());

  auto reader = state::SnapshotIdReader::Open(dir.File("state.db"));
  REQUIRE(reader.ok());
  auto before = (*reader)->Has("orders", "ORD1");
  REQUIRE(before.ok());
  CHECK_FALSE(*before);  // not committed yet
  REQUIRE(s.Commit().ok());

  CHECK(*(*reader)->Has("orders", "ORD1"));
  CHECK(*(*reader)->Has("orders", std::string("bin\0ary", 7)));
  CHECK_FALSE(*(*reader)->Has("orders", "bin"));
  CHECK_FALSE(*(*reader)->Has("orders", "C9"));  // another view's id
  CHECK(*state::HasSnapshotId(s, "customers", "C9"));
  CHECK_FALSE(*state::HasSnapshotId(s, "customers", "ORD1"));

  REQUIRE(state::ClearSnapshotIds(s, "orders").ok());
  CHECK_FALSE(*(*reader)->Has("orders", "ORD1"));
  CHECK_FALSE(*state::HasSnapshotId(s, "orders", "ORD1"));
  CHECK(*state::HasSnapshotId(s, "customers", "C9"));  // other views keep theirs
}

TEST_CASE("snapshot ids: the reader reports a missing state file instead of an empty set") {
  TempDir dir;
  CHECK_FALSE(state::SnapshotIdReader::Open(dir.File("missing.db")).ok());
}
