#include "source/mysql/sql/ddl_statement.h"

#include <algorithm>
#include <cctype>

namespace weft::source::mysql {
namespace {

struct Token {
  enum class Kind { kWord, kQuoted, kString, kPunct };
  Kind kind;
  std::string text;  // a quoted identifier unquoted; a word as written
};

bool IsWordByte(unsigned char c) { return std::isalnum(c) || c == '_' || c == '$' || c >= 0x80; }

// MySQL's lexer, as far as DDL needs it: identifiers (bare, `quoted`, "quoted" under ANSI_QUOTES),
// strings, punctuation. Comments are skipped; the body of an executable comment (/*!50100 ... */,
// /*M!100100 ... */) is read as code, as the server does.
std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> out;
  int exec_comments = 0;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (std::isspace(c) || c == ';') {
      ++i;
    } else if (s.compare(i, 3, "/*!") == 0 || s.compare(i, 4, "/*M!") == 0) {
      i += s[i + 2] == 'M' ? 4 : 3;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
      ++exec_comments;
    } else if (s.compare(i, 2, "*/") == 0 && exec_comments > 0) {
      i += 2;
      --exec_comments;
    } else if (s.compare(i, 2, "/*") == 0) {
      size_t end = s.find("*/", i + 2);
      i = end == std::string_view::npos ? s.size() : end + 2;
    } else if (c == '#' || (s.compare(i, 2, "--") == 0 &&
                            (i + 2 == s.size() || std::isspace(static_cast<unsigned char>(s[i + 2]))))) {
      size_t end = s.find('\n', i);
      i = end == std::string_view::npos ? s.size() : end + 1;
    } else if (c == '`' || c == '"' || c == '\'') {
      // A doubled quote stands for itself; in strings a backslash escapes the next byte.
      Token t{c == '\'' ? Token::Kind::kString : Token::Kind::kQuoted, ""};
      ++i;
      while (i < s.size()) {
        if (c != '`' && s[i] == '\\' && i + 1 < s.size()) {
          t.text.push_back(s[i + 1]);
          i += 2;
        } else if (s[i] == static_cast<char>(c)) {
          if (i + 1 < s.size() && s[i + 1] == static_cast<char>(c)) {
            t.text.push_back(s[i]);
            i += 2;
          } else {
            ++i;
            break;
          }
        } else {
          t.text.push_back(s[i++]);
        }
      }
      out.push_back(std::move(t));
    } else if (IsWordByte(c)) {
      size_t start = i;
      while (i < s.size() && IsWordByte(static_cast<unsigned char>(s[i]))) ++i;
      out.push_back({Token::Kind::kWord, std::string(s.substr(start, i - start))});
    } else {
      out.push_back({Token::Kind::kPunct, std::string(1, s[i++])});
    }
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
         });
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string_view default_db, std::string_view database)
      : tokens_(std::move(tokens)), default_db_(default_db), database_(database) {}

  DdlEffect Parse() {
    if (Eat("ALTER")) {
      Alter();
    } else if (Eat("CREATE")) {
      Create();
    } else if (Eat("DROP")) {
      Drop();
    } else if (Eat("RENAME")) {
      if (Eat("TABLE") || Eat("TABLES")) Rename();
    } else if (Eat("TRUNCATE")) {
      Eat("TABLE");
      Name();
    }
    return std::move(effect_);
  }

 private:
  const Token* Peek(size_t ahead = 0) const { return at_ + ahead < tokens_.size() ? &tokens_[at_ + ahead] : nullptr; }
  bool Is(std::string_view keyword, size_t ahead = 0) const {
    const Token* t = Peek(ahead);
    return t && t->kind == Token::Kind::kWord && EqualsIgnoreCase(t->text, keyword);
  }
  bool IsPunct(char p) const {
    const Token* t = Peek();
    return t && t->kind == Token::Kind::kPunct && t->text[0] == p;
  }
  bool Eat(std::string_view keyword) {
    if (!Is(keyword)) return false;
    ++at_;
    return true;
  }
  bool EatPunct(char p) {
    if (!IsPunct(p)) return false;
    ++at_;
    return true;
  }
  void EatIfExists() {
    if (Is("IF") && Is("EXISTS", 1)) at_ += 2;
    else if (Is("IF") && Is("NOT", 1) && Is("EXISTS", 2)) at_ += 3;
  }

  // [db.]table; records it when it belongs to the database asked about. False when no name follows.
  bool Name() {
    const Token* first = Peek();
    if (!first || first->kind == Token::Kind::kPunct || first->kind == Token::Kind::kString) return false;
    ++at_;
    std::string db(default_db_), table = first->text;
    if (IsPunct('.') && Peek(1) && Peek(1)->kind != Token::Kind::kPunct) {
      db = table;
      table = Peek(1)->text;
      at_ += 2;
    }
    if (db == database_ && std::find(effect_.tables.begin(), effect_.tables.end(), table) == effect_.tables.end()) {
      effect_.tables.push_back(table);
    }
    return true;
  }

  void Alter() {
    Eat("ONLINE") || Eat("OFFLINE");
    Eat("IGNORE");
    if (!Eat("TABLE")) return;
    EatIfExists();
    size_t before = effect_.tables.size();
    if (!Name()) return;
    // Clauses at parenthesis depth 0, split at commas.
    bool only_new_indexes = true, any_clause = false;
    while (Peek()) {
      size_t clause_start = at_;
      any_clause = true;
      if (Eat("RENAME")) {
        if (!(Is("COLUMN") || Is("INDEX") || Is("KEY"))) {
          Eat("TO") || Eat("AS");
          Name();
        }
      }
      at_ = clause_start;
      bool neutral = Is("ALGORITHM") || Is("LOCK") || Is("WAIT") || Is("NOWAIT");
      bool new_index = Is("ADD") && (Is("INDEX", 1) || Is("KEY", 1) || Is("FULLTEXT", 1) || Is("SPATIAL", 1));
      if (!neutral && !new_index) only_new_indexes = false;
      for (int depth = 0; Peek(); ++at_) {
        if (IsPunct('(')) ++depth;
        if (IsPunct(')')) --depth;
        if (depth == 0 && IsPunct(',')) break;
      }
      EatPunct(',');
    }
    if (any_clause && only_new_indexes) effect_.tables.resize(before);
  }

  void Create() {
    if (Eat("OR")) Eat("REPLACE");
    if (Eat("TEMPORARY")) return;
    Eat("ONLINE") || Eat("OFFLINE");
    if (Eat("TABLE")) {
      EatIfExists();
      Name();
      return;
    }
    bool unique = Eat("UNIQUE");
    Eat("FULLTEXT") || Eat("SPATIAL");
    if (!Eat("INDEX") && !Eat("KEY")) return;
    if (!unique) return;  // a non-unique index changes no row, column or key
    IndexTable();
  }

  void Drop() {
    if (Eat("TEMPORARY")) return;
    Eat("ONLINE") || Eat("OFFLINE");
    if (Eat("TABLE") || Eat("TABLES")) {
      EatIfExists();
      do {
        if (!Name()) return;
      } while (EatPunct(','));
    } else if (Eat("INDEX") || Eat("KEY")) {
      // The dropped index may be the unique key a table without PRIMARY KEY is identified by.
      IndexTable();
    } else if (Eat("DATABASE") || Eat("SCHEMA")) {
      EatIfExists();
      const Token* t = Peek();
      if (t && t->kind != Token::Kind::kPunct && t->text == database_) effect_.whole_database = true;
    }
  }

  // [IF [NOT] EXISTS] index_name [USING ...] ON table
  void IndexTable() {
    EatIfExists();
    while (Peek() && !Is("ON")) ++at_;
    if (Eat("ON")) Name();
  }

  void Rename() {
    EatIfExists();
    do {
      if (!Name()) return;
      while (Peek() && !Is("TO")) ++at_;  // MariaDB: a WAIT n / NOWAIT before TO
      if (!Eat("TO") || !Name()) return;
    } while (EatPunct(','));
  }

  std::vector<Token> tokens_;
  size_t at_ = 0;
  std::string_view default_db_, database_;
  DdlEffect effect_;
};

}  // namespace

DdlEffect ParseDdl(std::string_view statement, std::string_view default_db, std::string_view database) {
  return Parser(Tokenize(statement), default_db, database).Parse();
}

}  // namespace weft::source::mysql
