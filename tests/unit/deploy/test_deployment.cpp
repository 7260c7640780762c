#include "deploy/deployment.hpp"

#include <catch2/catch.hpp>

using ot::deploy::parse_deploy_dirname;

TEST_CASE("deployment directory names are checksum dot serial", "[deploy]") {
  const std::string csum(64, 'a');
  const auto parsed = parse_deploy_dirname(csum + ".3");
  REQUIRE(parsed);
  CHECK(parsed->csum == csum);
  CHECK(parsed->deployserial == 3);

  ot::deploy::Deployment d;
  d.stateroot = "testos";
  d.csum = csum;
  d.deployserial = 3;
  CHECK(d.relpath() == "ostree/deploy/testos/deploy/" + csum + ".3");
  CHECK(d.origin_relpath() == d.relpath() + ".origin");
}

TEST_CASE("stray names under deploy/ are not deployments", "[deploy]") {
  const std::string csum(64, 'a');
  CHECK_FALSE(parse_deploy_dirname(csum + ".0.origin"));
  CHECK_FALSE(parse_deploy_dirname(csum + ".tmp"));
  CHECK_FALSE(parse_deploy_dirname(csum + "."));
  CHECK_FALSE(parse_deploy_dirname(csum));
  CHECK_FALSE(parse_deploy_dirname(std::string(63, 'a') + ".0"));
  CHECK_FALSE(parse_deploy_dirname(std::string(64, 'A') + ".0"));
}
