#pragma once
// Move-only owners for the libmongoc/libbson handles the MongoDB sink uses, and the one-time
// mongoc_init(). Each owner frees its handle with the library's own destroy function.
// Threading: a handle belongs to the thread that uses it (mongoc_client_t is single-threaded).

#include <mongoc/mongoc.h>

#include <memory>
#include <string>

namespace weft::sink::mongo {

// Calls mongoc_init() once per process (and mongoc_cleanup() at exit), and routes libmongoc's own
// log lines (warnings and errors only) to weft's log under the component "mongoc".
void EnsureMongocInitialized();

// Owns a heap bson_t (bson_new). Not std::unique_ptr<bson_t>: bson_t carries an alignment attribute
// that template arguments drop, which GCC warns about on every use.
class BsonPtr {
 public:
  BsonPtr() = default;
  explicit BsonPtr(bson_t* b) : b_(b) {}
  ~BsonPtr() { reset(); }
  BsonPtr(BsonPtr&& other) noexcept : b_(other.b_) { other.b_ = nullptr; }
  BsonPtr& operator=(BsonPtr&& other) noexcept {
    if (this != &other) {
      reset();
      b_ = other.b_;
      other.b_ = nullptr;
    }
    return *this;
  }
  BsonPtr(const BsonPtr&) = delete;
  BsonPtr& operator=(const BsonPtr&) = delete;

  bson_t* get() const { return b_; }
  bson_t* operator->() const { return b_; }
  explicit operator bool() const { return b_ != nullptr; }
  void reset() {
    if (b_) bson_destroy(b_);
    b_ = nullptr;
  }

 private:
  bson_t* b_ = nullptr;
};

struct UriDeleter {
  void operator()(mongoc_uri_t* u) const { mongoc_uri_destroy(u); }
};
struct ClientDeleter {
  void operator()(mongoc_client_t* c) const { mongoc_client_destroy(c); }
};
struct CollectionDeleter {
  void operator()(mongoc_collection_t* c) const { mongoc_collection_destroy(c); }
};
struct BulkDeleter {
  void operator()(mongoc_bulk_operation_t* b) const { mongoc_bulk_operation_destroy(b); }
};
struct CursorDeleter {
  void operator()(mongoc_cursor_t* c) const { mongoc_cursor_destroy(c); }
};
struct WriteConcernDeleter {
  void operator()(mongoc_write_concern_t* w) const { mongoc_write_concern_destroy(w); }
};
struct BsonCharDeleter {  // strings libbson allocates (bson_as_*_json)
  void operator()(char* s) const { bson_free(s); }
};

using UriPtr = std::unique_ptr<mongoc_uri_t, UriDeleter>;
using ClientPtr = std::unique_ptr<mongoc_client_t, ClientDeleter>;
using CollectionPtr = std::unique_ptr<mongoc_collection_t, CollectionDeleter>;
using BulkPtr = std::unique_ptr<mongoc_bulk_operation_t, BulkDeleter>;
using CursorPtr = std::unique_ptr<mongoc_cursor_t, CursorDeleter>;
using WriteConcernPtr = std::unique_ptr<mongoc_write_concern_t, WriteConcernDeleter>;
using BsonCharPtr = std::unique_ptr<char, BsonCharDeleter>;

inline BsonPtr NewBson() { return BsonPtr(bson_new()); }

// Canonical extended JSON of `doc` ("" when libbson cannot render it, e.g. invalid UTF-8).
std::string CanonicalJson(const bson_t* doc);

}  // namespace weft::sink::mongo
