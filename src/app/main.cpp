#include "app/cli.hpp"

int main(int argc, char** argv) {
  return personae::run_cli(argc, argv);
}
