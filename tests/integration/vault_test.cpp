// Black-box tests of the media vault through the binary: a photo with camera and GPS metadata
// uploaded over HTTP comes back as variants whose metadata an independent tool (exiftool) reads
// as AI-generated, with nothing of the camera left; and uploads leave no spool file behind.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/integration/personae_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace personae::testing {
namespace {

using ::testing::HasSubstr;

class VaultBlackBoxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto tenant = personae({"tenant", "create", "--name", "Atelier"});
    ASSERT_EQ(tenant.exit_status, 0) << tenant.standard_error;
    const auto user = personae(
        {"user", "create", "--tenant", "Atelier", "--email", "owner@atelier.example", "--role", "owner"},
        "correct horse battery staple\n");
    ASSERT_EQ(user.exit_status, 0) << user.standard_error;
  }

  CommandResult personae(std::vector<std::string> arguments,
                         std::optional<std::string> input = std::nullopt) {
    arguments.insert(arguments.end(), {"--data-dir", data_dir().string()});
    return run_personae(arguments, {}, {}, std::move(input));
  }

  static CommandResult tool(std::vector<std::string> arguments) {
    ChildProcess::Options options;
    options.arguments = std::move(arguments);
    return run_command(std::move(options), std::chrono::seconds(60));
  }

  std::string sign_in(int port) {
    const auto login =
        http_request(port, "POST", "/api/v1/auth/login", {{"Content-Type", "application/json"}},
                     R"({"email":"owner@atelier.example","password":"correct horse battery staple"})");
    EXPECT_EQ(login.status, 200) << login.body;
    return nlohmann::json::parse(login.body)["access_token"];
  }

  /// A JPEG "from a camera": the fixture image with EXIF make/model and GPS coordinates.
  std::filesystem::path camera_photo() {
    const auto photo = dir_.path() / "camera.jpg";
    const auto converted =
        tool({"/usr/bin/convert-im6.q16", PERSONAE_SOURCE_DIR "/tests/fixtures/media/portrait.png",
              "-quality", "92", photo.string()});
    EXPECT_EQ(converted.exit_status, 0) << converted.standard_error;
    const auto tagged = tool({"/usr/bin/exiftool", "-overwrite_original", "-EXIF:Make=PhoneMaker",
                              "-EXIF:Model=X1", "-GPSLatitude=48.8584", "-GPSLatitudeRef=N",
                              "-GPSLongitude=2.2945", "-GPSLongitudeRef=E", photo.string()});
    EXPECT_EQ(tagged.exit_status, 0) << tagged.standard_error;
    return photo;
  }

  static std::string read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  std::filesystem::path data_dir() const { return dir_.path() / "var"; }

  TempDir dir_;
};

TEST_F(VaultBlackBoxTest, VariantsCarryAiProvenanceAndNoCameraOrGpsData) {
  const auto photo = camera_photo();
  const auto before = tool({"/usr/bin/exiftool", "-j", "-GPSLatitude", photo.string()});
  ASSERT_THAT(before.standard_output, HasSubstr("GPSLatitude")) << "the fixture should carry GPS data";

  ServeProcess serve({data_dir(), {}, {}, true});
  const std::string token = sign_in(serve.port());
  const std::string body =
      "--edge\r\nContent-Disposition: form-data; name=\"rating\"\r\n\r\nsfw\r\n"
      "--edge\r\nContent-Disposition: form-data; name=\"file\"; filename=\"camera.jpg\"\r\n"
      "Content-Type: image/jpeg\r\n\r\n" +
      read(photo) + "\r\n--edge--\r\n";
  const auto uploaded = http_request(
      serve.port(), "POST", "/api/v1/media",
      {{"Authorization", "Bearer " + token}, {"Content-Type", "multipart/form-data; boundary=edge"}}, body);
  ASSERT_EQ(uploaded.status, 201) << uploaded.body;
  const auto item = nlohmann::json::parse(uploaded.body);
  ASSERT_GE(item["variants"].size(), 3U);

  for (const auto& variant : item["variants"]) {
    const std::string name = variant["name"];
    SCOPED_TRACE(name);
    const auto download = http_request(serve.port(), "GET", variant["url"].get<std::string>(),
                                       {{"Authorization", "Bearer " + token}});
    ASSERT_EQ(download.status, 200);
    const auto file = dir_.path() / (name + ".jpg");
    std::ofstream(file, std::ios::binary) << download.body;
    const auto exif = tool({"/usr/bin/exiftool", "-j", "-G1", file.string()});
    ASSERT_EQ(exif.exit_status, 0) << exif.standard_error;
    const auto tags = nlohmann::json::parse(exif.standard_output)[0];
    EXPECT_EQ(tags.value("XMP-iptcExt:DigitalSourceType", ""),
              "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia")
        << exif.standard_output;
    EXPECT_EQ(tags.value("XMP-xmp:CreatorTool", ""), "uploaded") << exif.standard_output;
    for (const auto& [key, value] : tags.items()) {
      EXPECT_EQ(key.find("GPS"), std::string::npos) << key << " survived";
      EXPECT_EQ(key.find("Make"), std::string::npos) << key << " survived";
    }
  }
  // The upload's body and its file part were spooled to disk and are gone.
  const auto uploads = data_dir() / "tmp" / "uploads";
  for (const auto& entry : std::filesystem::directory_iterator(uploads))
    ADD_FAILURE() << entry.path() << " left behind";
  EXPECT_EQ(serve.terminate(), 0);
}

TEST_F(VaultBlackBoxTest, AnOversizedUploadIsRefusedBeforeItsBodyIsRead) {
  ServeProcess serve({data_dir(), {}, {{"PERSONAE_MEDIA_MAX_UPLOAD_BYTES", "64KiB"}}, true});
  const std::string token = sign_in(serve.port());
  HttpConnection connection(serve.port());
  connection.send_raw("POST /api/v1/media HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer " + token +
                      "\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 10485760\r\n"
                      "Expect: 100-continue\r\n\r\n");
  const auto response = connection.read_response();
  EXPECT_EQ(response.status, 413) << response.body;
  EXPECT_THAT(response.body, HasSubstr("limit"));
  EXPECT_EQ(serve.terminate(), 0);
}

}  // namespace
}  // namespace personae::testing
