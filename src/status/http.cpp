#include "status/http.h"

#include <strings.h>

#include <algorithm>
#include <cstring>

namespace weft::status {

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
  }
  return "Unknown";
}

std::string SerializeResponse(const HttpResponse& response, bool head) {
  std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " + ReasonPhrase(response.status) + "\r\n";
  out += "Content-Type: " + response.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(response.body.size()) + "\r\n";
  out += "Cache-Control: no-store\r\n";
  out += "Connection: close\r\n";
  for (const auto& [name, value] : response.headers) out += name + ": " + value + "\r\n";
  out += "\r\n";
  if (!head) out += response.body;
  return out;
}

RequestParser::RequestParser() {
  http_parser_init(&parser_, HTTP_REQUEST);
  parser_.data = this;
  http_parser_settings_init(&settings_);
  settings_.on_url = &RequestParser::OnUrl;
  settings_.on_message_complete = &RequestParser::OnMessageComplete;
}

int RequestParser::OnUrl(http_parser* p, const char* at, size_t length) {
  static_cast<RequestParser*>(p->data)->request_.url.append(at, length);
  return 0;
}

int RequestParser::OnMessageComplete(http_parser* p) {
  auto* self = static_cast<RequestParser*>(p->data);
  self->state_ = State::kComplete;
  self->request_.method = http_method_str(static_cast<http_method>(p->method));
  const std::string& url = self->request_.url;
  http_parser_url parts;
  http_parser_url_init(&parts);
  if (http_parser_parse_url(url.data(), url.size(), 0, &parts) == 0 && (parts.field_set & (1 << UF_PATH))) {
    self->request_.path = url.substr(parts.field_data[UF_PATH].off, parts.field_data[UF_PATH].len);
  } else {
    self->request_.path = url.substr(0, url.find_first_of("?#"));
  }
  // Stop here: bytes after this request (a pipelined second one) are not read; the server answers
  // this one and closes.
  http_parser_pause(p, 1);
  return 0;
}

void RequestParser::Fail(int status, std::string why) {
  state_ = State::kError;
  error_status_ = status;
  error_ = std::move(why);
}

RequestParser::State RequestParser::Feed(std::string_view bytes) {
  if (state_ != State::kIncomplete || bytes.empty()) return state_;
  bytes_ += bytes.size();
  http_parser_execute(&parser_, &settings_, bytes.data(), bytes.size());
  if (state_ == State::kComplete) return state_;
  http_errno err = HTTP_PARSER_ERRNO(&parser_);
  if (err == HPE_HEADER_OVERFLOW) {
    Fail(431, "request headers too large");
  } else if (err != HPE_OK) {
    Fail(400, std::string("malformed request: ") + http_errno_description(err));
  } else if (bytes_ > kMaxRequestBytes) {
    Fail(431, "request larger than " + std::to_string(kMaxRequestBytes) + " bytes");
  }
  return state_;
}

RequestParser::State RequestParser::Finish() {
  if (state_ != State::kIncomplete) return state_;
  http_parser_execute(&parser_, &settings_, nullptr, 0);
  if (state_ != State::kComplete) Fail(400, "the connection closed before the request was complete");
  return state_;
}

namespace {

struct ResponseState {
  ParsedResponse response;
  std::string field;             // the header name being read (it may arrive in fragments)
  bool reading_value = false;    // the last callback was a value fragment
  bool in_content_type = false;  // the value being read is Content-Type's
  bool complete = false;
};

}  // namespace

core::Result<ParsedResponse> ParseResponse(std::string_view bytes) {
  http_parser parser;
  http_parser_init(&parser, HTTP_RESPONSE);
  ResponseState state;
  parser.data = &state;
  http_parser_settings settings;
  http_parser_settings_init(&settings);
  settings.on_header_field = [](http_parser* p, const char* at, size_t n) {
    auto* s = static_cast<ResponseState*>(p->data);
    if (s->reading_value) {  // a name after a value starts the next header
      s->field.clear();
      s->reading_value = false;
    }
    s->field.append(at, n);
    return 0;
  };
  settings.on_header_value = [](http_parser* p, const char* at, size_t n) {
    auto* s = static_cast<ResponseState*>(p->data);
    if (!s->reading_value) {
      s->reading_value = true;
      s->in_content_type = strcasecmp(s->field.c_str(), "content-type") == 0;
    }
    if (s->in_content_type) s->response.content_type.append(at, n);
    return 0;
  };
  settings.on_body = [](http_parser* p, const char* at, size_t n) {
    static_cast<ResponseState*>(p->data)->response.body.append(at, n);
    return 0;
  };
  settings.on_message_complete = [](http_parser* p) {
    static_cast<ResponseState*>(p->data)->complete = true;
    return 0;
  };
  http_parser_execute(&parser, &settings, bytes.data(), bytes.size());
  if (!state.complete && HTTP_PARSER_ERRNO(&parser) == HPE_OK) {
    http_parser_execute(&parser, &settings, nullptr, 0);  // the end of input ends a body without length
  }
  if (HTTP_PARSER_ERRNO(&parser) != HPE_OK) {
    return core::InvalidArgument(std::string("not an HTTP response: ") +
                                 http_errno_description(HTTP_PARSER_ERRNO(&parser)));
  }
  if (!state.complete) return core::InvalidArgument("the HTTP response was cut short");
  state.response.status = static_cast<int>(parser.status_code);
  return state.response;
}

std::optional<std::string> QueryParam(std::string_view url, std::string_view name) {
  size_t q = url.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = url.substr(q + 1);
  query = query.substr(0, query.find('#'));
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    std::string_view key = pair.substr(0, pair.find('='));
    if (key != name) continue;
    std::string_view raw = key.size() < pair.size() ? pair.substr(key.size() + 1) : std::string_view();
    std::string value;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '+') {
        value += ' ';
      } else if (raw[i] == '%' && i + 2 < raw.size() && hex(raw[i + 1]) >= 0 && hex(raw[i + 2]) >= 0) {
        value += static_cast<char>(hex(raw[i + 1]) * 16 + hex(raw[i + 2]));
        i += 2;
      } else {
        value += raw[i];
      }
    }
    return value;
  }
  return std::nullopt;
}

}  // namespace weft::status
