"""Write data/examples/: course files that show reading a company's own data.

``orders_zh_gbk.csv`` holds the first 300 transaction lines of the bundled demo
company with Chinese column names, saved in GBK as Excel on a Chinese Windows system
writes CSV files. Run from anywhere: ``python scripts/make_example_files.py``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from segkit.config import data_dir
from segkit.datasets import load_demo

#: Canonical column -> the Chinese header used in the example file.
ZH_COLUMNS = {
    "transaction_id": "订单编号",
    "customer_id": "客户编号",
    "timestamp": "下单时间",
    "amount": "金额",
    "quantity": "数量",
    "is_return": "是否退货",
}


def make_orders_zh(n_rows: int = 300):
    tx = load_demo().transactions.sort_values(["timestamp", "transaction_id"]).head(n_rows)
    out = tx[list(ZH_COLUMNS)].copy()
    out["timestamp"] = out["timestamp"].dt.strftime("%Y/%m/%d")
    out["is_return"] = out["is_return"].map({True: "是", False: "否"})
    return out.rename(columns=ZH_COLUMNS)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=data_dir() / "examples")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    make_orders_zh().to_csv(args.out / "orders_zh_gbk.csv", index=False, encoding="gbk",
                            lineterminator="\n")


if __name__ == "__main__":
    main()
