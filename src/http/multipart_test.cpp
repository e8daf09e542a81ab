#include "http/multipart.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace personae::http {
namespace {

std::string body_of(const std::vector<std::pair<std::string, std::string>>& parts,
                    std::string_view boundary) {
  std::string body;
  for (const auto& [headers, content] : parts) {
    body += "--" + std::string(boundary) + "\r\n" + headers + "\r\n\r\n" + content + "\r\n";
  }
  return body + "--" + std::string(boundary) + "--\r\n";
}

std::string content_of(std::string_view body, const MultipartPart& part) {
  return std::string(body.substr(part.offset, part.length));
}

TEST(Multipart, BoundaryComesFromTheContentType) {
  EXPECT_EQ(*multipart_boundary("multipart/form-data; boundary=abc123"), "abc123");
  EXPECT_EQ(*multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b;c\""), "a b;c");
  EXPECT_FALSE(multipart_boundary("application/json"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'x')));
  EXPECT_NE(multipart_boundary("image/jpeg").error().message.find("\"file\""), std::string::npos);
}

TEST(Multipart, FindsEveryPartWithItsNameFileNameAndBytes) {
  const std::string binary("\x00\r\n--xy\xff\r\n", 10);  // holds CRLF and a near-boundary
  const std::string body =
      body_of({{"Content-Disposition: form-data; name=\"persona_id\"", "p-1"},
               {"Content-Disposition: form-data; name=\"file\"; filename=\"my; photo.jpg\"\r\n"
                "Content-Type: image/jpeg",
                binary},
               {"content-disposition: FORM-DATA; name=tags", ""}},
              "xyz");
  const auto parts = parse_multipart(body, "xyz");
  ASSERT_TRUE(parts) << parts.error().message;
  ASSERT_EQ(parts->size(), 3U);
  EXPECT_EQ((*parts)[0].name, "persona_id");
  EXPECT_FALSE((*parts)[0].filename);
  EXPECT_EQ(content_of(body, (*parts)[0]), "p-1");
  EXPECT_EQ((*parts)[1].name, "file");
  EXPECT_EQ((*parts)[1].filename, "my; photo.jpg");
  EXPECT_EQ((*parts)[1].content_type, "image/jpeg");
  EXPECT_EQ(content_of(body, (*parts)[1]), binary);
  EXPECT_EQ((*parts)[2].name, "tags");
  EXPECT_EQ((*parts)[2].length, 0U);
}

TEST(Multipart, APreambleIsIgnored) {
  const std::string body =
      "This is a preamble.\r\n" + body_of({{"Content-Disposition: form-data; name=\"a\"", "1"}}, "b");
  const auto parts = parse_multipart(body, "b");
  ASSERT_TRUE(parts);
  EXPECT_EQ(content_of(body, (*parts)[0]), "1");
}

TEST(Multipart, MalformedOrCutOffBodiesAreRefusedWithAReason) {
  const std::string good =
      body_of({{"Content-Disposition: form-data; name=\"file\"; filename=\"a.jpg\"", "JPEGDATA"}}, "b");
  const auto message = [](std::string_view body, std::string_view boundary = "b") {
    const auto parts = parse_multipart(body, boundary);
    EXPECT_FALSE(parts);
    return parts ? std::string() : parts.error().message;
  };
  EXPECT_NE(message("no boundary at all").find("does not contain its boundary"), std::string::npos);
  EXPECT_NE(message(good.substr(0, good.size() - 12)).find("cut off before the end of part \"file\""),
            std::string::npos);
  EXPECT_NE(message(good.substr(0, 20)).find("cut off in the headers"), std::string::npos);
  EXPECT_NE(message(body_of({{"Content-Disposition: attachment; name=\"a\"", "1"}}, "b")).find("form-data"),
            std::string::npos);
  EXPECT_NE(message(body_of({{"Content-Disposition: form-data", "1"}}, "b")).find("with a name"),
            std::string::npos);
  EXPECT_NE(message(body_of({{"Content-Type: text/plain", "1"}}, "b")).find("Content-Disposition"),
            std::string::npos);
  EXPECT_NE(message(body_of({{"Content-Disposition form-data; name=a", "1"}}, "b")).find("malformed header"),
            std::string::npos);
  EXPECT_NE(message("--bXX\r\n").find("boundary line"), std::string::npos);
  std::vector<std::pair<std::string, std::string>> many(33,
                                                        {"Content-Disposition: form-data; name=\"x\"", "1"});
  EXPECT_NE(message(body_of(many, "b")).find("more than 32 parts"), std::string::npos);
  EXPECT_NE(
      message(
          body_of({{"Content-Disposition: form-data; name=\"a\"\r\nX-Pad: " + std::string(9000, 'p'), "1"}},
                  "b"))
          .find("too large"),
      std::string::npos);
}

TEST(Multipart, ASpooledBodyIsParsedFromItsFileAndPartsCopiedOut) {
  testing::TempDir dir;
  const std::string payload(300'000, 'z');
  const std::string body =
      body_of({{"Content-Disposition: form-data; name=\"rating\"", "sfw"},
               {"Content-Disposition: form-data; name=\"file\"; filename=\"big.png\"", payload}},
              "----personae");
  const auto file = dir.path() / "body";
  std::ofstream(file, std::ios::binary) << body;
  const auto parts = parse_multipart_file(file, "----personae");
  ASSERT_TRUE(parts) << parts.error().message;
  EXPECT_EQ(*read_part(file, (*parts)[0]), "sfw");
  const auto copy = dir.path() / "file";
  ASSERT_TRUE(copy_part(file, (*parts)[1], copy));
  std::ifstream in(copy, std::ios::binary);
  const std::string copied((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(copied, payload);
  EXPECT_FALSE(parse_multipart_file(dir.path() / "missing", "b"));
  std::ofstream(dir.path() / "empty");
  EXPECT_FALSE(parse_multipart_file(dir.path() / "empty", "b"));
}

}  // namespace
}  // namespace personae::http
