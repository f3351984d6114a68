"""Believable people, places and companies in Shanghai: names by surname frequency, mobiles, ID
numbers, addresses (``DemoFaker``); everything drawn from the ``random.Random`` passed in."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from customers.validators import id_number_check_digit

# Surnames roughly by frequency (the first ones are drawn most often), then a few compound ones.
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤"
)


COMPOUND_SURNAMES = ["欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "慕容", "令狐"]


GIVEN_MALE = (
    "伟 强 磊 军 洋 勇 杰 涛 明 超 斌 鹏 辉 刚 健 峰 宁 凯 浩 亮 建华 建国 志强 俊杰 浩然 子轩 宇航 文博 晓东 "
    "海涛 国栋 永刚 志明 家豪 天佑 博文 思远 振宇 立新 伟民 德华 嘉诚 明辉 耀华 子豪 一鸣 梓睿 承泽 "
).split()


GIVEN_FEMALE = (
    "芳 娜 敏 静 丽 艳 娟 霞 玲 婷 雪 慧 颖 琳 晶 倩 洁 蕾 佳怡 欣怡 梓涵 诗涵 雨婷 晓燕 丽娟 秀英 桂英 美玲 "
    "思琪 婉婷 雅静 梦瑶 可馨 若曦 晨曦 淑华 佳琪 雨桐 紫萱 心怡 海燕 春梅 文静 丹丹 "
).split()


# Mobile prefixes issued to subscribers (China Mobile, Unicom, Telecom), all accepted by normalise_mobile.
MOBILE_PREFIXES = (
    "134 135 136 137 138 139 147 150 151 152 157 158 159 178 182 183 184 187 188 198 "
    "130 131 132 155 156 166 175 176 185 186 133 153 173 177 180 181 189 191 199"
).split()


# Shanghai districts and roads, with a point near each road (WGS-84, approximate).
ROADS = [
    ("浦东新区", "世纪大道", 31.2304, 121.5173), ("浦东新区", "张杨路", 31.2297, 121.5260),
    ("浦东新区", "陆家嘴环路", 31.2397, 121.5012), ("浦东新区", "东方路", 31.2250, 121.5270),
    ("浦东新区", "锦绣路", 31.2050, 121.5500), ("黄浦区", "南京东路", 31.2380, 121.4810),
    ("黄浦区", "淮海中路", 31.2200, 121.4650), ("黄浦区", "西藏南路", 31.2150, 121.4850),
    ("徐汇区", "漕溪北路", 31.1920, 121.4370), ("徐汇区", "衡山路", 31.2070, 121.4450),
    ("徐汇区", "宜山路", 31.1780, 121.4170), ("静安区", "南京西路", 31.2290, 121.4560),
    ("静安区", "延安中路", 31.2230, 121.4530), ("静安区", "共和新路", 31.2700, 121.4530),
    ("长宁区", "长宁路", 31.2200, 121.4200), ("长宁区", "虹桥路", 31.1990, 121.4110),
    ("长宁区", "仙霞路", 31.2080, 121.3950), ("普陀区", "曹杨路", 31.2400, 121.4200),
    ("普陀区", "真北路", 31.2450, 121.3950), ("虹口区", "四川北路", 31.2600, 121.4850),
    ("虹口区", "曲阳路", 31.2780, 121.4880), ("杨浦区", "四平路", 31.2750, 121.5050),
    ("杨浦区", "国权路", 31.2950, 121.5100), ("闵行区", "七莘路", 31.1420, 121.3600),
    ("闵行区", "虹梅路", 31.1700, 121.3950), ("宝山区", "牡丹江路", 31.4040, 121.4890),
    ("嘉定区", "博乐路", 31.3800, 121.2600), ("松江区", "人民北路", 31.0200, 121.2300),
]


RESIDENCES = ["阳光花园", "锦绣华庭", "滨江苑", "翠湖天地", "世纪公寓", "梅园新村", "春申景城", "古北新城",
              "绿地香树丽舍", "中远两湾城", "万科城市花园", "仁恒河滨城"]


OFFICES = ["金茂大厦", "环球金融中心", "国金中心", "恒隆广场", "汇金大厦", "港汇中心", "来福士广场", "嘉里中心"]


RESTAURANTS = ["老正兴菜馆", "小南国", "德兴馆", "苏浙汇", "新荣记", "鹿港小镇", "外婆家", "海底捞火锅",
               "王宝和酒家", "绿波廊"]


HOTELS = ["和平饭店", "锦江饭店", "希尔顿酒店", "万豪酒店", "香格里拉大酒店", "浦江饭店"]


COMPANY_WORDS = ["浦江", "申通", "华信", "东方", "金桥", "联华", "海纳", "新程", "恒远", "盛世"]


COMPANY_TRADES = ["国际贸易", "科技", "实业", "投资管理", "建设工程", "文化传媒", "物流", "餐饮管理"]


# Shanghai district codes for resident ID numbers (the first six digits).
ID_REGIONS = ["310101", "310104", "310105", "310106", "310107", "310109", "310110", "310112", "310113", "310115"]


TAGS = ["商务宴请", "机场接送", "夜间常客", "价格敏感", "高价值", "企业客户", "长途代驾"]


SERVICE_NEEDS = ["手动挡车辆", "需要儿童座椅", "优先安排女司机", "携带宠物", "豪华车型", "代驾后代泊车"]


GOOD_COMMENTS = ["司机很准时，开车很稳", "服务专业，态度好", "师傅很有礼貌，路线熟悉", "非常满意，下次还叫", ""]


BAD_COMMENTS = ["司机迟到了二十分钟", "开得太快，感觉不安全", "绕路了，费用偏高", "态度一般", "车内有烟味"]


def mobile_from_index(n: int) -> str:
    """A distinct valid mobile for every ``n`` ≥ 0 (deterministic; used for bulk data and factories)."""
    q, r = divmod(n, len(MOBILE_PREFIXES))
    return f"{MOBILE_PREFIXES[r]}{(q * 48271 + 31415926) % 10**8:08d}"


def id_number_for(birthday: dt.date, *, female: bool, rng: random.Random) -> str:
    """A well-formed resident ID number (GB 11643 check digit) for a Shanghai-born person."""
    seq = rng.randrange(0, 500) * 2 + (0 if female else 1)
    first17 = f"{rng.choice(ID_REGIONS)}{birthday:%Y%m%d}{seq:03d}"
    return first17 + id_number_check_digit(first17)


class DemoFaker:
    """Chinese names, mobiles and Shanghai addresses drawn from one ``random.Random``."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._weights = [1.0 / (i + 8) for i in range(len(SURNAMES))]

    def surname(self) -> str:
        if self.rng.random() < 0.02:
            return self.rng.choice(COMPOUND_SURNAMES)
        return self.rng.choices(SURNAMES, weights=self._weights)[0]

    def given_name(self, female: bool | None = None) -> str:
        female = self.rng.random() < 0.5 if female is None else female
        return self.rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)

    def full_name(self, female: bool | None = None) -> str:
        return self.surname() + self.given_name(female)

    def mobile(self) -> str:
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def road(self):
        return self.rng.choice(ROADS)

    def address(self, label: str = "home") -> tuple[str, Decimal, Decimal]:
        """``(address, lat, lng)``: a detailed Shanghai address of the kind of place ``label`` names."""
        rng = self.rng
        district, road, lat, lng = self.road()
        number = rng.randrange(1, 2000)
        if label == "home":
            tail = f"{rng.choice(RESIDENCES)}{rng.randrange(1, 30)}号楼{rng.randrange(1, 33)}0{rng.randrange(1, 6)}室"
        elif label == "office":
            tail = f"{rng.choice(OFFICES)}{rng.randrange(2, 60)}楼"
        elif label == "restaurant":
            tail = rng.choice(RESTAURANTS)
        elif label == "hotel":
            tail = rng.choice(HOTELS)
        else:
            tail = f"{rng.randrange(1, 12)}号门"
        jitter = lambda: Decimal(f"{rng.uniform(-0.01, 0.01):.6f}")  # noqa: E731
        return (f"上海市{district}{road}{number}号{tail}", Decimal(f"{lat:.6f}") + jitter(),
                Decimal(f"{lng:.6f}") + jitter())

    def company(self) -> str:
        return f"上海{self.rng.choice(COMPANY_WORDS)}{self.rng.choice(COMPANY_TRADES)}有限公司"
