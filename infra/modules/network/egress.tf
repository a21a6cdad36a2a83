# Internet egress for the functions that need it (catalog `internet = true`), when `nat` is not
# "none": one egress subnet per AZ whose default route goes to a NAT gateway, the NAT gateway(s)
# in public subnets behind an internet gateway, and the egress security group. The private
# subnets keep no route out: the database, the proxy, the cache and every other function stay
# without an internet path.
#
# Address plan (in /20s of a /16, see cidrsubnet): private subnets 0-5, egress subnets 8-13,
# public subnets /24s in the last /20 (a NAT gateway needs few addresses).
locals {
  egress_enabled = var.nat != "none"
  nat_count      = var.nat == "per_az" ? var.az_count : (var.nat == "single" ? 1 : 0)
}

resource "aws_internet_gateway" "this" {
  count = local.egress_enabled ? 1 : 0

  vpc_id = aws_vpc.this.id

  tags = {
    Name = var.name
  }
}

# Public subnets hold only the NAT gateways: nothing else is placed in them, and nothing gets a
# public address on launch.
resource "aws_subnet" "public" {
  count = local.nat_count

  vpc_id                  = aws_vpc.this.id
  cidr_block              = cidrsubnet(var.cidr_block, 8, 240 + count.index)
  availability_zone       = local.azs[count.index]
  map_public_ip_on_launch = false

  tags = {
    Name = "${var.name}-public-${local.azs[count.index]}"
  }
}

resource "aws_route_table" "public" {
  count = local.egress_enabled ? 1 : 0

  vpc_id = aws_vpc.this.id

  tags = {
    Name = "${var.name}-public"
  }
}

resource "aws_route" "public_internet" {
  count = local.egress_enabled ? 1 : 0

  route_table_id         = aws_route_table.public[0].id
  destination_cidr_block = "0.0.0.0/0"
  gateway_id             = aws_internet_gateway.this[0].id
}

resource "aws_route_table_association" "public" {
  count = local.nat_count

  subnet_id      = aws_subnet.public[count.index].id
  route_table_id = aws_route_table.public[0].id
}

resource "aws_eip" "nat" {
  count = local.nat_count

  domain = "vpc"

  tags = {
    Name = "${var.name}-nat-${local.azs[count.index]}"
  }

  depends_on = [aws_internet_gateway.this]
}

resource "aws_nat_gateway" "this" {
  count = local.nat_count

  allocation_id = aws_eip.nat[count.index].id
  subnet_id     = aws_subnet.public[count.index].id

  tags = {
    Name = "${var.name}-${local.azs[count.index]}"
  }

  depends_on = [aws_internet_gateway.this]
}

resource "aws_subnet" "egress" {
  count = local.egress_enabled ? var.az_count : 0

  vpc_id                  = aws_vpc.this.id
  cidr_block              = cidrsubnet(var.cidr_block, 4, 8 + count.index)
  availability_zone       = local.azs[count.index]
  map_public_ip_on_launch = false

  tags = {
    Name = "${var.name}-egress-${local.azs[count.index]}"
  }
}

# One route table per egress subnet: with per_az, each AZ leaves through its own NAT gateway (an
# AZ outage does not cut the others off, and no cross-AZ data charge); with single, all go
# through the one in the first AZ.
resource "aws_route_table" "egress" {
  count = local.egress_enabled ? var.az_count : 0

  vpc_id = aws_vpc.this.id

  tags = {
    Name = "${var.name}-egress-${local.azs[count.index]}"
  }
}

resource "aws_route" "egress_internet" {
  count = local.egress_enabled ? var.az_count : 0

  route_table_id         = aws_route_table.egress[count.index].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = aws_nat_gateway.this[var.nat == "per_az" ? count.index : 0].id
}

resource "aws_route_table_association" "egress" {
  count = local.egress_enabled ? var.az_count : 0

  subnet_id      = aws_subnet.egress[count.index].id
  route_table_id = aws_route_table.egress[count.index].id
}
