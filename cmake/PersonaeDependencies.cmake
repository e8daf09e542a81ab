# Every dependency comes from a Debian bookworm package (scripts/bootstrap installs them).
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(PostgreSQL REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(tomlplusplus REQUIRED)
find_package(tl-expected REQUIRED)

# Debian's libsoci-dev ships no CMake package: import the three libraries we use.
find_path(SOCI_INCLUDE_DIR soci/soci.h REQUIRED)
foreach(component core sqlite3 postgresql)
  find_library(SOCI_${component}_LIBRARY NAMES soci_${component} REQUIRED)
  add_library(SOCI::${component} UNKNOWN IMPORTED)
  set_target_properties(SOCI::${component} PROPERTIES IMPORTED_LOCATION "${SOCI_${component}_LIBRARY}"
                                                      INTERFACE_INCLUDE_DIRECTORIES "${SOCI_INCLUDE_DIR}")
endforeach()
set_property(TARGET SOCI::sqlite3 APPEND PROPERTY INTERFACE_LINK_LIBRARIES SOCI::core SQLite::SQLite3)
set_property(TARGET SOCI::postgresql APPEND PROPERTY INTERFACE_LINK_LIBRARIES SOCI::core PostgreSQL::PostgreSQL)

# Security libraries (Debian ships pkg-config files for them).
find_package(PkgConfig REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
pkg_check_modules(LIBJWT REQUIRED IMPORTED_TARGET libjwt)
pkg_check_modules(LIBOATH REQUIRED IMPORTED_TARGET liboath)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
set(PERSONAE_COMMON_PASSWORDS_FILE /usr/share/john/password.lst CACHE FILEPATH
    "Common passwords refused at sign-up (Debian package john-data)")

# Outbound HTTP, storage and media (issue 4).
find_package(CURL REQUIRED)
find_package(ZLIB REQUIRED)
find_package(pugixml REQUIRED)
find_package(date REQUIRED)  # date::date-tz reads the system's IANA database (package tzdata)
pkg_check_modules(VIPS REQUIRED IMPORTED_TARGET vips-cpp)
pkg_check_modules(EXIV2 REQUIRED IMPORTED_TARGET exiv2)
pkg_check_modules(LIBARCHIVE REQUIRED IMPORTED_TARGET libarchive)
find_path(LIBMAGIC_INCLUDE_DIR magic.h REQUIRED)
find_library(LIBMAGIC_LIBRARY NAMES magic REQUIRED)
add_library(LibMagic::LibMagic UNKNOWN IMPORTED)
set_target_properties(LibMagic::LibMagic PROPERTIES IMPORTED_LOCATION "${LIBMAGIC_LIBRARY}"
                                                    INTERFACE_INCLUDE_DIRECTORIES "${LIBMAGIC_INCLUDE_DIR}")
