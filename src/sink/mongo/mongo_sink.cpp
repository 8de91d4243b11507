#include "sink/mongo/mongo_sink.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "core/log.h"
#include "sink/mongo/bulk_reply.h"

namespace weft::sink::mongo {
namespace {

// MongoDB's document limit (maxBsonObjectSize). Checked before sending: libmongoc would otherwise
// fail the whole bulk client-side, and the server would refuse it anyway.
constexpr size_t kMaxDocumentBytes = 16 * 1024 * 1024;
// One bulk must stay ONE command on the wire (see bulk_reply.h), so it stays under the server's
// maxWriteBatchSize (100,000) and, with one more 16 MiB document, under maxMessageSizeBytes (48 MB).
constexpr size_t kMaxOpsPerBulk = 100000;
constexpr size_t kMaxBulkBytes = 24 * 1000 * 1000;

std::string HostsOf(const mongoc_uri_t* uri) {
  std::string out;
  for (const mongoc_host_list_t* h = mongoc_uri_get_hosts(uri); h; h = h->next) {
    if (!out.empty()) out += ",";
    out += h->host_and_port;
  }
  if (out.empty() && mongoc_uri_get_srv_hostname(uri)) out = mongoc_uri_get_srv_hostname(uri);
  return out;
}

// The bson_t that mongoc_bulk_operation_execute and mongoc_client_command_simple always initialize.
struct ReplyHolder {
  bson_t reply;
  ~ReplyHolder() { bson_destroy(&reply); }
};

}  // namespace

struct MongoSink::Op {
  size_t batch_index = 0;
  bool is_delete = false;
  BsonPtr filter;  // {_id: ...}
  BsonPtr doc;     // the replacement; null for a delete
  size_t bytes = 0;
};

core::Result<std::unique_ptr<MongoSink>> MongoSink::Create(const config::SinkConfig& config) {
  EnsureMongocInitialized();
  std::string where = (config.location.file.empty() ? std::string() : config.location.ToString() + ": ") + "sink " +
                      config.name + ": ";
  bson_error_t error;
  UriPtr uri(mongoc_uri_new_with_error(config.uri.c_str(), &error));
  if (!uri) {
    return core::InvalidArgument(where + "the MongoDB uri does not parse (" + error.message +
                                 "); expected mongodb://host:port/?options");
  }
  std::string database = config.database;
  if (database.empty() && mongoc_uri_get_database(uri.get())) database = mongoc_uri_get_database(uri.get());
  if (database.empty()) return core::InvalidArgument(where + "no database: set database = \"...\" in the sink");
  if (config.batch_size < 1) return core::InvalidArgument(where + "batch_size must be at least 1");
  // libmongoc only logs an unreadable TLS file ("Cannot load Certificate Authorities") and then
  // reports every connection as "No suitable servers found"; say which file instead.
  for (const auto& [option, name] : {std::pair{MONGOC_URI_TLSCAFILE, "tlsCAFile"},
                                      std::pair{MONGOC_URI_TLSCERTIFICATEKEYFILE, "tlsCertificateKeyFile"}}) {
    const char* file = mongoc_uri_get_option_as_utf8(uri.get(), option, nullptr);
    if (file && ::access(file, R_OK) != 0) {
      return core::InvalidArgument(where + name + "=" + file + " in the uri cannot be read: " + std::strerror(errno));
    }
  }

  // Start from the uri's write concern (keeps wtimeoutMS and journal), then apply write_concern.
  WriteConcernPtr wc(mongoc_write_concern_copy(mongoc_uri_get_write_concern(uri.get())));
  const std::string& w = config.write_concern;
  if (w == "majority") {
    mongoc_write_concern_set_wmajority(wc.get(), mongoc_write_concern_get_wtimeout(wc.get()));
  } else if (!w.empty() && w.size() <= 3 && std::all_of(w.begin(), w.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    mongoc_write_concern_set_w(wc.get(), std::stoi(w));
  } else {
    return core::InvalidArgument(where + "write_concern = \"" + w + "\" is not \"majority\" or a number of nodes");
  }
  if (!mongoc_write_concern_is_valid(wc.get())) {
    return core::InvalidArgument(where + "write_concern = \"" + w + "\" conflicts with the uri's journal/wtimeoutMS");
  }
  return std::unique_ptr<MongoSink>(new MongoSink(config, std::move(uri), std::move(database), std::move(wc)));
}

MongoSink::MongoSink(const config::SinkConfig& config, UriPtr uri, std::string database, WriteConcernPtr write_concern)
    : config_(config),
      component_("sink.mongodb:" + config.name),
      uri_(std::move(uri)),
      database_(std::move(database)),
      hosts_(HostsOf(uri_.get())),
      write_concern_(std::move(write_concern)) {}

core::Status MongoSink::Open() {
  core::Logger log(component_);
  collections_.clear();
  client_.reset();
  bson_error_t error;
  ClientPtr client(mongoc_client_new_from_uri_with_error(uri_.get(), &error));
  if (!client) return core::InvalidArgument("cannot create a MongoDB client for " + hosts_ + ": " + error.message);
  mongoc_client_set_error_api(client.get(), MONGOC_ERROR_API_VERSION_2);
  if (!mongoc_uri_get_appname(uri_.get())) mongoc_client_set_appname(client.get(), "weft");

  BsonPtr ping = NewBson();
  BSON_APPEND_INT32(ping.get(), "ping", 1);
  ReplyHolder reply;
  if (!mongoc_client_command_simple(client.get(), "admin", ping.get(), nullptr, &reply.reply, &error)) {
    return core::Unavailable("cannot reach MongoDB at " + hosts_ + ": " + error.message);
  }
  client_ = std::move(client);
  bool acknowledged = mongoc_write_concern_is_acknowledged(write_concern_.get());
  log.Info("connected to MongoDB at " + hosts_ + ", database " + database_ + ", write concern w=" +
           config_.write_concern + ", " + std::to_string(config_.batch_size) + " documents per bulk write");
  if (!acknowledged) {
    log.Warn("write_concern = \"0\": writes are unacknowledged, so weft cannot tell whether MongoDB applied "
             "them; use \"majority\" or \"1\" unless losing writes is acceptable");
  }
  return core::Status::Ok();
}

mongoc_collection_t* MongoSink::Collection(const std::string& name) {
  auto it = collections_.find(name);
  if (it == collections_.end()) {
    it = collections_
             .emplace(name, CollectionPtr(mongoc_client_get_collection(client_.get(), database_.c_str(), name.c_str())))
             .first;
  }
  return it->second.get();
}

bool MongoSink::Prepare(const DocumentWrite& write, Op* op, WriteResult* rejected) {
  op->is_delete = !write.doc.has_value();
  op->filter = NewBson();
  core::Status status = AppendId(write.id, op->filter.get());
  if (status.ok() && !op->is_delete) {
    const change::Value& doc = *write.doc;
    op->doc = NewBson();
    const change::Value* doc_id = doc.Find("_id");
    if (doc_id && *doc_id != write.id) {
      status = core::Internal("the document's _id differs from the write's id (a weft bug)");
    } else if (!doc_id && doc.kind() == change::ValueKind::kObject) {
      // The contract says documents carry their _id; store it anyway so the document matches its key.
      change::Value with_id = change::Value::MakeObject({{"_id", write.id}});
      for (const auto& field : doc.object()) with_id.object().push_back(field);
      status = DocumentToBson(with_id, op->doc.get(), &notes_);
    } else {
      status = DocumentToBson(doc, op->doc.get(), &notes_);
    }
    if (status.ok() && op->doc->len > kMaxDocumentBytes) {
      status = core::InvalidArgument("document is " + std::to_string(op->doc->len) +
                                     " bytes of BSON, over MongoDB's 16 MiB (16777216 bytes) limit");
    }
  }
  if (!status.ok()) {
    *rejected = WriteResult{Outcome::kRejected, status.message()};
    return false;
  }
  op->bytes = op->filter->len + (op->doc ? op->doc->len : 0);
  return true;
}

core::Status MongoSink::RunBulk(mongoc_collection_t* collection, const std::vector<Op*>& ops,
                                std::vector<WriteResult>* results) {
  BsonPtr opts = NewBson();
  BSON_APPEND_BOOL(opts.get(), "ordered", false);
  mongoc_write_concern_append(write_concern_.get(), opts.get());
  BulkPtr bulk(mongoc_collection_create_bulk_operation_with_opts(collection, opts.get()));
  // Client-side validation off: MongoDB 5.0+ stores field names with '.' and '$' that JSON columns
  // may hold; when the server refuses one, that document alone is rejected with its message.
  BsonPtr replace_opts = NewBson();
  BSON_APPEND_BOOL(replace_opts.get(), "upsert", true);
  BSON_APPEND_BOOL(replace_opts.get(), "validate", false);

  std::vector<Op*> sent;
  sent.reserve(ops.size());
  for (Op* op : ops) {
    bson_error_t error;
    bool added = op->is_delete
                     ? mongoc_bulk_operation_remove_one_with_opts(bulk.get(), op->filter.get(), nullptr, &error)
                     : mongoc_bulk_operation_replace_one_with_opts(bulk.get(), op->filter.get(), op->doc.get(),
                                                                   replace_opts.get(), &error);
    if (added) {
      sent.push_back(op);
    } else {
      (*results)[op->batch_index] = WriteResult{Outcome::kRejected, std::string("libmongoc refused it: ") + error.message};
    }
  }
  if (sent.empty()) return core::Status::Ok();

  ReplyHolder reply;
  bson_error_t error;
  uint32_t server_id = mongoc_bulk_operation_execute(bulk.get(), &reply.reply, &error);
  std::vector<WriteResult> per_op;
  core::Status status = ReadBulkReply(server_id != 0, &reply.reply, error, sent.size(), &per_op);
  if (!status.ok()) {
    return status.WithContext("bulk write of " + std::to_string(sent.size()) + " " +
                              (sent.front()->is_delete ? "deletes" : "replacements") + " to " + database_ + "." +
                              mongoc_collection_get_name(collection) + " at " + hosts_);
  }
  for (size_t i = 0; i < sent.size(); ++i) (*results)[sent[i]->batch_index] = std::move(per_op[i]);
  return core::Status::Ok();
}

core::Status MongoSink::Write(const std::vector<DocumentWrite>& batch, std::vector<WriteResult>* results) {
  if (!client_) return core::FailedPrecondition("the MongoDB sink is not open (Open() first)");
  results->assign(batch.size(), WriteResult{});
  int64_t decimals_before = notes_.decimals_as_text;

  std::vector<Op> ops(batch.size());
  // Per collection (in first-seen order): replacements and deletes go in separate bulks, so each
  // bulk is one command; the engine allows any order between different ids.
  std::vector<std::pair<std::string, std::vector<Op*>>> replaces, deletes;
  auto group_of = [](auto& groups, const std::string& name) -> std::vector<Op*>& {
    for (auto& g : groups) if (g.first == name) return g.second;
    return groups.emplace_back(name, std::vector<Op*>{}).second;
  };
  for (size_t i = 0; i < batch.size(); ++i) {
    ops[i].batch_index = i;
    if (!Prepare(batch[i], &ops[i], &(*results)[i])) continue;
    group_of(ops[i].is_delete ? deletes : replaces, batch[i].collection).push_back(&ops[i]);
  }

  size_t max_ops = std::min(static_cast<size_t>(config_.batch_size), kMaxOpsPerBulk);
  for (auto* groups : {&replaces, &deletes}) {
    for (auto& [name, group] : *groups) {
      mongoc_collection_t* collection = Collection(name);
      std::vector<Op*> chunk;
      size_t bytes = 0;
      for (Op* op : group) {
        if (!chunk.empty() && (chunk.size() >= max_ops || bytes + op->bytes > kMaxBulkBytes)) {
          WEFT_RETURN_IF_ERROR(RunBulk(collection, chunk, results));
          chunk.clear();
          bytes = 0;
        }
        chunk.push_back(op);
        bytes += op->bytes;
      }
      if (!chunk.empty()) WEFT_RETURN_IF_ERROR(RunBulk(collection, chunk, results));
    }
  }
  if (int64_t n = notes_.decimals_as_text - decimals_before; n > 0) {
    core::Logger(component_).Warn(std::to_string(n) +
                                  " DECIMAL value(s) with more than 34 significant digits were stored as strings "
                                  "(Decimal128 cannot hold them exactly)");
  }
  return core::Status::Ok();
}

std::string MongoSink::Canonical(const change::Value& doc) const {
  BsonPtr bson = NewBson();
  core::Status status = DocumentToBson(doc, bson.get(), nullptr);
  // Never valid JSON, so it never equals a stored document's text.
  if (!status.ok()) return "!unconvertible: " + status.message();
  return CanonicalJson(bson.get());
}

std::string MongoSink::ScanIdKey(const change::Value& id) const {
  BsonPtr holder = NewBson();
  bson_iter_t iter;
  if (!AppendId(id, holder.get()).ok() || !bson_iter_init_find(&iter, holder.get(), "_id")) return IdKeyOf(id);
  return IdKeyOf(BsonToValue(&iter));
}

core::Status MongoSink::Scan(const std::string& collection, const ScanCallback& each) {
  if (!client_) return core::FailedPrecondition("the MongoDB sink is not open (Open() first)");
  BsonPtr filter = NewBson();
  CursorPtr cursor(mongoc_collection_find_with_opts(Collection(collection), filter.get(), nullptr, nullptr));
  const bson_t* doc = nullptr;
  while (mongoc_cursor_next(cursor.get(), &doc)) {
    bson_iter_t iter;
    change::Value id;
    if (bson_iter_init_find(&iter, doc, "_id")) id = BsonToValue(&iter);
    each(id, IdKeyOf(id), CanonicalJson(doc));
  }
  bson_error_t error;
  if (mongoc_cursor_error(cursor.get(), &error)) {
    return core::Unavailable("reading " + database_ + "." + collection + " at " + hosts_ + " failed: " + error.message);
  }
  return core::Status::Ok();
}

}  // namespace weft::sink::mongo
