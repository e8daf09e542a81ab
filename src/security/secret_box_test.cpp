#include "security/secret_box.hpp"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace personae::security {
namespace {

SecretBox::Key random_key() {
  SecretBox::Key key;
  randombytes_buf(key.data(), key.size());
  return key;
}

TEST(SecretBox, RoundTripsWithAFreshNonceEachTime) {
  const SecretBox box({{1, random_key()}}, 1);
  const auto sealed = box.seal("JBSWY3DPEHPK3PXP", "user:42:totp");
  EXPECT_EQ(box.open(sealed, "user:42:totp"), "JBSWY3DPEHPK3PXP");
  EXPECT_NE(box.seal("JBSWY3DPEHPK3PXP", "user:42:totp"), sealed);
  EXPECT_EQ(box.open(box.seal("", "a"), "a"), "");
  EXPECT_EQ(SecretBox::key_id_of(sealed), 1U);
}

TEST(SecretBox, ACiphertextMovedToAnotherRowDoesNotOpen) {
  const SecretBox box({{1, random_key()}}, 1);
  const auto sealed = box.seal("secret", "user:42:totp");
  const auto moved = box.open(sealed, "user:43:totp");
  ASSERT_FALSE(moved);
  EXPECT_EQ(moved.error().code, ErrorCode::kInternal);
  EXPECT_EQ(moved.error().message, "cannot decrypt");
  EXPECT_EQ(moved.error().detail.find("secret"), std::string::npos);
}

TEST(SecretBox, DetectsTamperingAnywhere) {
  const SecretBox box({{1, random_key()}}, 1);
  const auto sealed = box.seal("a secret worth protecting", "aad");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string tampered = sealed;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(box.open(tampered, "aad")) << "position " << i;
  }
  EXPECT_FALSE(box.open(sealed.substr(0, sealed.size() - 1), "aad"));
  EXPECT_FALSE(box.open("", "aad"));
  EXPECT_FALSE(box.open("not base64 !", "aad"));
}

TEST(SecretBox, AnotherKeyDoesNotOpen) {
  const SecretBox box({{1, random_key()}}, 1);
  const SecretBox other({{1, random_key()}}, 1);
  EXPECT_FALSE(other.open(box.seal("secret", "aad"), "aad"));
}

TEST(SecretBox, RotationKeepsOldValuesReadable) {
  const auto old_key = random_key();
  const auto new_key = random_key();
  const SecretBox before({{1, old_key}}, 1);
  const auto old_sealed = before.seal("old secret", "aad");

  const SecretBox after({{1, old_key}, {2, new_key}}, 2);
  EXPECT_EQ(after.open(old_sealed, "aad"), "old secret");
  const auto new_sealed = after.seal("new secret", "aad");
  EXPECT_EQ(SecretBox::key_id_of(new_sealed), 2U);
  EXPECT_EQ(after.open(new_sealed, "aad"), "new secret");

  const SecretBox retired({{2, new_key}}, 2);
  const auto unknown = retired.open(old_sealed, "aad");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().message, "cannot decrypt");
  EXPECT_EQ(retired.open(new_sealed, "aad"), "new secret");
}

TEST(SecretBox, RefusesAnActiveKeyIdWithoutAKey) {
  EXPECT_THROW(SecretBox({{1, random_key()}}, 2), ConfigError);
}

TEST(MasterKey, IsGeneratedOnceWithOwnerOnlyPermissions) {
  testing::TempDir dir;
  const auto path = dir.path() / "secrets" / "master.key";
  const auto created = load_or_create_master_key(path);
  ASSERT_TRUE(created) << created.error().detail;
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);
  ASSERT_EQ(::stat(path.parent_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700U);
  const auto loaded = load_or_create_master_key(path);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(*loaded, *created);
}

TEST(MasterKey, RefusesAFileThatIsNotAKey) {
  testing::TempDir dir;
  const auto path = dir.path() / "master.key";
  std::ofstream(path) << "too short\n";
  std::filesystem::permissions(path,
                               std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  const auto loaded = load_or_create_master_key(path);
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ErrorCode::kInvalidArgument);
}

TEST(MasterKey, RefusesAKeyFileOtherUsersCanRead) {
  testing::TempDir dir;
  const auto path = dir.path() / "secrets" / "master.key";
  ASSERT_TRUE(load_or_create_master_key(path));
  for (const auto extra : {std::filesystem::perms::group_read, std::filesystem::perms::others_read,
                           std::filesystem::perms::others_write}) {
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write | extra);
    const auto loaded = load_or_create_master_key(path);
    ASSERT_FALSE(loaded);
    EXPECT_EQ(loaded.error().code, ErrorCode::kFailedPrecondition);
    EXPECT_NE(loaded.error().message.find("chmod 600 " + path.string()), std::string::npos)
        << loaded.error().message;
  }
  std::filesystem::permissions(path, std::filesystem::perms::owner_read);
  EXPECT_TRUE(load_or_create_master_key(path));
}

}  // namespace
}  // namespace personae::security
