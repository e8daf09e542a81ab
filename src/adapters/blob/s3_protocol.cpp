#include "adapters/blob/s3_protocol.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <sstream>

#include "adapters/http_client/http_client.hpp"
#include "core/error.hpp"

namespace personae::s3 {
namespace {

bool load(pugi::xml_document& document, std::string_view body) {
  if (body.empty()) return false;
  const auto result =
      document.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
  return static_cast<bool>(result) && !document.document_element().empty();
}

bool is_ip_address(std::string_view host) {
  if (host.empty()) return false;
  if (host.front() == '[') return true;  // IPv6 literal
  return std::all_of(host.begin(), host.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

}  // namespace

std::optional<ErrorDocument> parse_error(std::string_view body) {
  pugi::xml_document document;
  if (!load(document, body)) return std::nullopt;
  const auto root = document.document_element();
  if (std::string_view(root.name()) != "Error") return std::nullopt;
  return ErrorDocument{root.child("Code").text().as_string(), root.child("Message").text().as_string()};
}

std::optional<std::string> root_element(std::string_view body) {
  pugi::xml_document document;
  if (!load(document, body)) return std::nullopt;
  return std::string(document.document_element().name());
}

std::optional<std::string> parse_upload_id(std::string_view body) {
  pugi::xml_document document;
  if (!load(document, body)) return std::nullopt;
  const auto root = document.document_element();
  if (std::string_view(root.name()) != "InitiateMultipartUploadResult") return std::nullopt;
  std::string id = root.child("UploadId").text().as_string();
  if (id.empty()) return std::nullopt;
  return id;
}

std::string complete_multipart_body(const std::vector<std::string>& etags) {
  pugi::xml_document document;
  auto root = document.append_child("CompleteMultipartUpload");
  root.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
  for (std::size_t i = 0; i < etags.size(); ++i) {
    auto part = root.append_child("Part");
    part.append_child("PartNumber").text() = static_cast<unsigned long long>(i) + 1;
    part.append_child("ETag").text() = etags[i].c_str();
  }
  std::ostringstream out;
  document.save(out, "", pugi::format_raw);
  return out.str();
}

CompleteAnswer parse_complete_answer(std::string_view body) {
  pugi::xml_document document;
  if (!load(document, body)) return {};
  const auto root = document.document_element();
  const std::string_view name = root.name();
  if (name == "CompleteMultipartUploadResult") return {CompleteAnswer::Kind::kCompleted, {}};
  if (name == "Error") {
    return {CompleteAnswer::Kind::kError,
            ErrorDocument{root.child("Code").text().as_string(), root.child("Message").text().as_string()}};
  }
  return {};
}

bool valid_bucket_name(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) return false;
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  if (!std::all_of(name.begin(), name.end(), [&](char c) { return alnum(c) || c == '.' || c == '-'; }))
    return false;
  if (name.find("..") != std::string_view::npos) return false;
  return !is_ip_address(name);
}

Addressing::Addressing(std::string_view endpoint, std::string bucket, bool path_style)
    : bucket_(std::move(bucket)), path_style_(path_style) {
  const auto parts = outbound::loggable_url(endpoint);
  if (parts.scheme != "http" && parts.scheme != "https") {
    throw ConfigError("blob.s3.endpoint: expected an http:// or https:// URL");
  }
  if (endpoint.find('@') != std::string_view::npos || endpoint.find('?') != std::string_view::npos ||
      endpoint.find('#') != std::string_view::npos || (!parts.path.empty() && parts.path != "/")) {
    throw ConfigError(
        "blob.s3.endpoint: expected scheme, host and port only (no credentials, path or query), e.g. "
        "https://s3.eu-west-1.amazonaws.com or http://minio:9000");
  }
  if (!valid_bucket_name(bucket_)) {
    throw ConfigError(
        "blob.s3.bucket: expected 3-63 characters of a-z, 0-9, '.', '-' (S3 bucket naming rules)");
  }
  scheme_ = parts.scheme;
  host_ = parts.host;
  const auto colon = host_.rfind(':');
  const std::string bare_host =
      (colon != std::string::npos && host_.front() != '[') ? host_.substr(0, colon) : host_;
  if (!path_style_ && is_ip_address(bare_host)) {
    throw ConfigError(
        "blob.s3.path_style: virtual-host style needs a DNS name in blob.s3.endpoint, not an IP address");
  }
}

std::string Addressing::bucket_url(std::string_view query) const {
  std::string url =
      path_style_ ? scheme_ + "://" + host_ + "/" + bucket_ : scheme_ + "://" + bucket_ + "." + host_ + "/";
  if (!query.empty()) url += "?" + std::string(query);
  return url;
}

std::string Addressing::object_url(std::string_view object_name, std::string_view query) const {
  std::string url = path_style_ ? scheme_ + "://" + host_ + "/" + bucket_ + "/"
                                : scheme_ + "://" + bucket_ + "." + host_ + "/";
  url += object_name;
  if (!query.empty()) url += "?" + std::string(query);
  return url;
}

}  // namespace personae::s3
