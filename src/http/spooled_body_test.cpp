#include "http/spooled_body.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace personae::http {
namespace {

TEST(SpooledBody, IsAnOwnerOnlyFileWithARandomNameRemovedWithTheLastReference) {
  testing::TempDir dir;
  const auto folder = dir.path() / "uploads";
  auto first = SpooledBody::create(folder);
  auto second = SpooledBody::create(folder);
  EXPECT_NE(first->path(), second->path());
  EXPECT_TRUE(first->path().filename().string().starts_with(SpooledBody::kFilePrefix));
  struct stat status {};
  ASSERT_EQ(::stat(first->path().c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0600U);
  ASSERT_EQ(::stat(folder.c_str(), &status), 0);
  EXPECT_EQ(status.st_mode & 0777, 0700U);
  std::ofstream(first->path(), std::ios::binary) << "twelve bytes";
  EXPECT_EQ(first->size(), 12U);

  const auto path = first->path();
  std::shared_ptr<const SpooledBody> shared = first;
  first.reset();
  EXPECT_TRUE(std::filesystem::exists(path));
  shared.reset();
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(SpooledBody, CreatingInAFolderThatCannotExistFailsNamingIt) {
  testing::TempDir dir;
  std::ofstream(dir.path() / "a-file") << "x";
  try {
    SpooledBody::create(dir.path() / "a-file" / "uploads");
    FAIL() << "expected an error";
  } catch (const std::system_error& error) {
    EXPECT_NE(std::string(error.what()).find("a-file"), std::string::npos);
  }
}

}  // namespace
}  // namespace personae::http
