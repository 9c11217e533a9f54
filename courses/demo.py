"""Demo content: the data tables and the builder behind `seed_demo` and `bench_catalogue`.

The hand-written catalogue (providers, categories, 24 courses with quizzes, users with progress) goes
through the services, so it obeys the same rules as real data. `courses_generate()` writes synthetic
courses in bulk for load tests; each still gets a live CoursePage with a published revision.
Everything is keyed on natural keys (slugs, course codes, usernames), so a second run creates nothing.
"""

import datetime as dt
import io
import random
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.images import ImageFile
from django.db import connection, transaction
from django.db.models import CharField, F, OuterRef, Q, Subquery
from django.db.models.functions import Cast
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import slugify

from wagtail.images import get_image_model
from wagtail.models import Page, Revision
from wagtail.search.backends import get_search_backends

from accounts.idcard import check_digit
from accounts.roles import organiser_group

from . import selectors, services
from .models import (
    Category,
    Chapter,
    Course,
    CoursePage,
    Delivery,
    Enrolment,
    Lesson,
    Provider,
    ProviderPage,
    Question,
    QuestionKind,
    Quiz,
    QuizQuestion,
    SkillLevel,
)
from .models.content import new_option_id
from .text import normalise_search

# ------------------------------------------------------------------ tables

# slug, name, cover colour
CATEGORIES = [
    ("iiot", "工业互联网", (31, 94, 168)),
    ("ic", "集成电路", (92, 61, 153)),
    ("ai", "人工智能", (18, 128, 120)),
    ("5g", "5G与通信", (0, 122, 184)),
    ("cybersecurity", "网络安全", (176, 58, 46)),
    ("smart-manufacturing", "智能制造", (201, 107, 24)),
    ("industrial-software", "工业软件", (52, 73, 94)),
    ("nev", "新能源汽车", (39, 139, 66)),
]

PROVIDERS = [
    {
        "slug": "ccid-training",
        "name": "中国电子信息产业发展研究院培训中心",
        "short_name": "赛迪培训中心",
        "description": "依托电子信息产业研究积累，面向工业和信息化领域开展专业技术人员继续教育与技能提升培训。",
    },
    {
        "slug": "huaxin-skills",
        "name": "华信工业和信息化技能培训中心",
        "short_name": "华信培训",
        "description": "工业和信息化技术技能人才培养合作机构，长期承担通信、网络安全与工业软件方向的实训项目。",
    },
    {
        "slug": "jiangnan-poly",
        "name": "江南智能制造职业技术学院",
        "short_name": "江南职院",
        "description": "国家“双高计划”建设院校，设有智能制造、新能源汽车和集成电路技术等专业群与产教融合实训基地。",
    },
]

# Paragraphs that give every lesson body real subject matter, by category.
CATEGORY_TEXT = {
    "iiot": [
        "工业互联网是新一代信息通信技术与工业经济深度融合的新型基础设施、应用模式和工业生态，"
        "通过对人、机、物、系统的全面连接，构建起覆盖全产业链、全价值链的全新制造和服务体系。",
        "网络是基础，平台是中枢，数据是要素，安全是保障。企业推进工业互联网建设时，应先梳理设备资产与业务流程，"
        "明确数据采集范围，再分阶段实施平台接入与应用开发。",
        "现场实施中常见的协议有 OPC UA、Modbus、MQTT 等。技术人员需要掌握协议转换、数据清洗与边缘侧预处理方法，"
        "保证上云数据的完整性、及时性和准确性。",
    ],
    "ic": [
        "集成电路是信息产业的核心与基础，产业链通常划分为设计、制造、封装测试三大环节，"
        "并由 EDA 工具、半导体设备和材料提供支撑。",
        "数字集成电路设计一般经历规格定义、RTL 编码、功能验证、逻辑综合、时序分析和物理实现等阶段，"
        "每个阶段都要通过严格的签核检查。",
        "封装测试环节关注芯片的电气连接、散热与可靠性。晶圆测试（CP）筛除早期失效芯片，"
        "成品测试（FT）则在封装后验证芯片功能与参数是否符合规格。",
    ],
    "ai": [
        "人工智能通过机器学习，特别是深度学习方法，让计算机从数据中学习规律，"
        "在图像识别、语音处理、自然语言理解等任务上已经达到实用水平。",
        "在制造业中，人工智能常用于产品外观缺陷检测、设备故障预测、工艺参数优化和智能排产。"
        "项目成败往往取决于数据质量、标注规范和业务场景是否界定清楚。",
        "大模型应用需要关注提示词设计、检索增强生成（RAG）、私有化部署与数据安全。"
        "在生产环境中应建立效果评估与人工复核机制，防止模型输出错误信息。",
    ],
    "5g": [
        "5G 具有增强移动宽带（eMBB）、超高可靠低时延通信（uRLLC）和海量机器类通信（mMTC）三大应用场景，"
        "为工业现场的无线化改造提供了可能。",
        "5G 行业专网可以采用虚拟专网、混合专网或独立专网等模式，企业应结合业务对时延、带宽和“数据不出园区”"
        "等要求选择合适的建网方式。",
        "网络运维人员需要熟悉基站、承载网和核心网的基本结构，掌握常见告警的定位思路，"
        "并能使用网管系统和测试仪表开展性能分析与故障排查。",
    ],
    "cybersecurity": [
        "《网络安全法》《数据安全法》《个人信息保护法》构成了我国网络与数据安全的基本法律框架，"
        "网络安全等级保护制度是落实安全责任的重要抓手。",
        "工业控制系统的安全防护强调在保障生产连续性的前提下实施边界隔离、访问控制、主机加固和安全监测，"
        "做到“安全分区、网络专用、横向隔离、纵向认证”。",
        "数据安全治理从数据分类分级入手，围绕数据采集、传输、存储、使用、共享和销毁的全生命周期"
        "建立管理制度和技术措施。",
    ],
    "smart-manufacturing": [
        "智能制造是新一代信息技术与先进制造技术的深度融合，贯穿设计、生产、管理、服务等各个环节，"
        "具有自感知、自决策、自执行等特征。",
        "企业可以参照智能制造能力成熟度模型（GB/T 39116）开展自评估，找准短板，"
        "制定从单元级、产线级到工厂级逐步推进的实施路线。",
        "数字孪生通过建立物理对象的虚拟映射，实现对产线运行状态的实时监控、仿真预测和优化决策，"
        "是智能工厂建设的关键技术之一。",
    ],
    "industrial-software": [
        "工业软件是工业技术、知识和经验的软件化载体，按用途可分为研发设计类（CAD、CAE、EDA）、"
        "生产控制类（PLC、DCS、SCADA、MES）和经营管理类（ERP、PLM）等。",
        "PLC 程序设计应遵循 IEC 61131-3 标准，常用编程语言包括梯形图（LD）、结构化文本（ST）和功能块图（FBD）。"
        "良好的程序结构便于调试和后期维护。",
        "MES 实施需要梳理工艺路线、物料清单和质量检验规范，并与 ERP 和设备控制层实现数据贯通，"
        "做到计划下达、过程追溯和绩效分析的闭环。",
    ],
    "nev": [
        "新能源汽车包括纯电动汽车、插电式混合动力汽车和燃料电池汽车，动力电池、驱动电机和电控系统"
        "组成的“三电”系统是其核心部件。",
        "动力电池检测与维修必须严格执行高压安全规范：作业前断开维修开关、佩戴绝缘防护用品，"
        "并用万用表确认系统无电压后方可操作。",
        "充电设施分为交流充电桩和直流充电桩，安装时需要核查供电容量、接地系统和防护等级，"
        "运维中应定期检查充电枪、线缆和通信模块的状态。",
    ],
}


def _single(stem, options, correct, explanation):
    return {
        "kind": QuestionKind.SINGLE,
        "stem": stem,
        "options": options,
        "correct": [correct],
        "explanation": explanation,
    }


def _multiple(stem, options, correct, explanation):
    return {
        "kind": QuestionKind.MULTIPLE,
        "stem": stem,
        "options": options,
        "correct": correct,
        "explanation": explanation,
    }


def _judge(stem, answer: bool, explanation):
    return {"kind": QuestionKind.TRUE_FALSE, "stem": stem, "answer": answer, "explanation": explanation}


def _fill(stem, blanks, explanation):
    return {"kind": QuestionKind.FILL, "stem": stem, "answer": blanks, "explanation": explanation}


# The tables below are kept one entry per line on purpose (ruff format would spread each over ~6 lines).
# fmt: off
# Seven questions per category, in the order: single, single, multiple, judge, judge, fill, fill.
QUESTIONS = {
    "iiot": [
        _single("工业互联网体系中，被称为“中枢”的是哪一部分？", ["网络", "平台", "安全", "终端"], 1, "网络是基础，平台是中枢，安全是保障。"),
        _single("以下哪种协议常用于工业设备与平台之间的轻量级消息传输？", ["MQTT", "SMTP", "FTP", "POP3"], 0, "MQTT 基于发布/订阅模式，报文开销小，适合设备上云。"),
        _multiple("工业互联网标识解析体系包括以下哪些节点？", ["国家顶级节点", "二级节点", "企业节点", "浏览器插件节点"], [0, 1, 2], "标识解析体系由根节点、国家顶级节点、二级节点、企业节点和递归节点组成。"),
        _judge("边缘计算在靠近设备一侧预处理数据，可以降低网络带宽压力。", True, "边缘侧过滤、聚合数据后再上传，减少了传输量。"),
        _judge("工业数据上云后就不再需要考虑数据安全问题。", False, "数据上云后仍需做好传输加密、访问控制和分类分级保护。"),
        _fill("工业互联网的三大功能体系是网络、____和安全。", [["平台"]], "网络、平台、安全是工业互联网的三大功能体系。"),
        _fill("OPC UA 中的“UA”指____架构（填两个字）。", [["统一"]], "OPC UA 即 OPC 统一架构（Unified Architecture）。"),
    ],
    "ic": [
        _single("集成电路产业链中，完成晶圆切割、装片、键合和塑封的环节是？", ["设计", "制造", "封装", "销售"], 2, "封装环节为芯片提供电气连接和物理保护。"),
        _single("将 RTL 代码转换为门级网表的步骤称为？", ["逻辑综合", "版图设计", "晶圆测试", "光刻"], 0, "逻辑综合把寄存器传输级描述映射为标准单元网表。"),
        _multiple("以下属于集成电路制造关键工艺的有？", ["光刻", "刻蚀", "薄膜沉积", "注塑成型"], [0, 1, 2], "注塑成型属于塑料加工工艺。"),
        _judge("晶圆测试（CP）通常在芯片封装之前进行。", True, "CP 在晶圆阶段筛除失效芯片，避免浪费封装成本。"),
        _judge("EDA 工具只用于芯片制造环节，与设计无关。", False, "EDA 即电子设计自动化，贯穿芯片设计全过程。"),
        _fill("集成电路产业链通常分为设计、____、封装测试三个环节。", [["制造", "晶圆制造"]], "设计、制造、封装测试是产业链的三大环节。"),
        _fill("静态时序分析的英文缩写是____。", [["STA"]], "STA 即 Static Timing Analysis。"),
    ],
    "ai": [
        _single("在产品表面缺陷检测中，最常用的深度学习模型类型是？", ["卷积神经网络", "线性回归", "决策表", "关系数据库"], 0, "卷积神经网络擅长提取图像的局部特征。"),
        _single("“检索增强生成”的英文缩写是？", ["RAG", "GAN", "CNN", "ERP"], 0, "RAG 即 Retrieval-Augmented Generation。"),
        _multiple("影响工业视觉检测项目效果的关键因素有？", ["光源与成像方案", "样本数据质量", "标注规范一致性", "机房装修风格"], [0, 1, 2], "成像、数据和标注共同决定模型效果。"),
        _judge("训练集与测试集应来自相同分布但互不重叠的数据。", True, "两者重叠会高估模型效果。"),
        _judge("大模型的输出可以不经核验直接用于生产决策。", False, "大模型可能产生错误信息，生产决策前必须核验。"),
        _fill("模型在训练集上表现很好、在新数据上表现很差的现象称为____。", [["过拟合", "过度拟合"]], "过拟合说明模型记住了训练样本而没有学到一般规律。"),
        _fill("深度学习是____学习的一个分支。", [["机器"]], "深度学习是以多层神经网络为基础的机器学习方法。"),
    ],
    "5g": [
        _single("5G 三大应用场景中，面向工业控制等低时延需求的是？", ["uRLLC", "eMBB", "mMTC", "FTTH"], 0, "uRLLC 即超高可靠低时延通信。"),
        _single("要求“数据不出园区”的企业通常优先考虑哪种专网模式？", ["公网直连", "混合专网（用户面下沉）", "家庭宽带", "卫星电话"], 1, "用户面功能下沉到园区，业务数据在本地分流。"),
        _multiple("5G 网络的主要组成部分包括？", ["无线接入网", "承载网", "核心网", "打印服务器"], [0, 1, 2], "接入网、承载网和核心网共同构成端到端网络。"),
        _judge("网络切片可以在同一张物理网络上为不同业务提供逻辑隔离的网络。", True, "切片按业务需求分配资源并相互隔离。"),
        _judge("mMTC 场景的主要目标是提供超高的单用户下载速率。", False, "mMTC 面向海量低功耗连接，高速率是 eMBB 的目标。"),
        _fill("5G 基站的英文简称是____。", [["gNB", "gNodeB"]], "5G 基站称为 gNodeB，简称 gNB。"),
        _fill("5G 中的“G”是英文单词____的首字母。", [["Generation"]], "5G 即第五代移动通信技术（5th Generation）。"),
    ],
    "cybersecurity": [
        _single("我国网络安全领域的基础性法律是？", ["网络安全法", "商标法", "劳动法", "民事诉讼法"], 0, "《网络安全法》自2017年6月1日起施行。"),
        _single("等级保护第三级信息系统应多久开展一次等级测评？", ["每年至少一次", "每五年一次", "无需测评", "每十年一次"], 0, "第三级以上系统每年至少开展一次等级测评。"),
        _multiple("工业控制系统安全防护的常用措施包括？", ["边界隔离与访问控制", "主机安全加固", "安全审计与监测", "随意开放远程维护端口"], [0, 1, 2], "远程维护端口应严格管控，按需临时开放。"),
        _judge("数据分类分级是开展数据安全治理的基础工作。", True, "只有先分清数据类别和级别，才能采取相应的保护措施。"),
        _judge("部署了防火墙之后，工控网络就不需要再做补丁与漏洞管理。", False, "边界防护不能替代主机和应用层面的漏洞管理。"),
        _fill("我国网络安全等级保护制度共分为____个级别。", [["五", "5"]], "等级保护分为第一级至第五级。"),
        _fill("《个人信息保护法》自2021年11月____日起施行。", [["1", "一"]], "该法于2021年8月20日通过，11月1日起施行。"),
    ],
    "smart-manufacturing": [
        _single("智能制造能力成熟度模型的国家标准编号是？", ["GB/T 39116", "GB/T 19001", "GB 50016", "GB/T 2828.1"], 0, "GB/T 39116—2020《智能制造能力成熟度模型》。"),
        _single("对产线建立虚拟映射并进行仿真预测的技术称为？", ["数字孪生", "条形码", "看板管理", "人工巡检"], 0, "数字孪生让物理产线与虚拟模型实时交互。"),
        _multiple("智能制造的典型特征包括？", ["自感知", "自决策", "自执行", "全部手工记录"], [0, 1, 2], "自感知、自决策、自执行是智能制造的典型特征。"),
        _judge("工业机器人示教编程前必须确认安全防护装置有效。", True, "安全门、急停按钮和光栅等装置必须完好。"),
        _judge("预测性维护是在设备发生故障后才进行的维修方式。", False, "预测性维护依据状态数据提前安排维护，事后维修是故障维修。"),
        _fill("MES 的中文全称是制造____系统。", [["执行"]], "MES 即 Manufacturing Execution System。"),
        _fill("工业机器人常用坐标系包括关节坐标系、____坐标系和工具坐标系。", [["世界", "基", "基座"]], "世界（基）坐标系、关节坐标系和工具坐标系最常用。"),
    ],
    "industrial-software": [
        _single("以下属于研发设计类工业软件的是？", ["CAD", "ERP", "OA", "CRM"], 0, "CAD 用于产品的计算机辅助设计。"),
        _single("IEC 61131-3 标准中，梯形图语言的简称是？", ["LD", "ST", "IL", "SFC"], 0, "LD 即 Ladder Diagram。"),
        _multiple("以下哪些属于生产控制类工业软件？", ["PLC 编程软件", "SCADA", "MES", "财务报销系统"], [0, 1, 2], "财务报销系统属于经营管理类软件。"),
        _judge("CAE 仿真可以在样机制造之前预测产品的结构强度。", True, "有限元分析等方法可在设计阶段发现薄弱环节。"),
        _judge("PLC 程序下载运行后就无法再进行在线监控。", False, "主流编程软件都支持在线监控和强制变量。"),
        _fill("PLM 的中文名称是产品____管理。", [["生命周期", "全生命周期"]], "PLM 即 Product Lifecycle Management。"),
        _fill("在 PLC 结构化文本（ST）中，赋值运算符写作____。", [[":="]], "ST 语言用 := 赋值，用 = 判断相等。"),
    ],
    "nev": [
        _single("新能源汽车“三电”系统不包括以下哪一项？", ["手动变速箱", "动力电池", "驱动电机", "电控系统"], 0, "三电指动力电池、驱动电机和电控系统。"),
        _single("维修动力电池前，首先应当执行的操作是？", ["断开维修开关并验电", "直接拆卸电池包", "启动车辆检查", "徒手检查高压线束"], 0, "必须先断电、验电，确认无电压后再作业。"),
        _multiple("动力电池常见的检测项目包括？", ["单体电压一致性", "绝缘电阻", "温度传感器状态", "轮胎花纹深度"], [0, 1, 2], "轮胎检查与动力电池无关。"),
        _judge("直流充电桩一般比交流充电桩充电速度更快。", True, "直流桩直接向电池输出大功率直流电。"),
        _judge("高压系统可以在不穿戴绝缘防护用品的情况下带电作业。", False, "高压作业必须穿戴绝缘手套、绝缘鞋等防护用品。"),
        _fill("电池管理系统的英文缩写是____。", [["BMS"]], "BMS 即 Battery Management System。"),
        _fill("我国电动汽车直流充电接口的国家标准编号是 GB/T ____。", [["20234.3"]], "GB/T 20234.3 规定了直流充电接口。"),
    ],
}
# fmt: on
# Which of a category's questions each of its three courses uses (indexes into the list above).
QUIZ_PICKS = [[0, 2, 3, 5, 1], [1, 2, 4, 6, 3], [0, 1, 2, 3, 4, 5, 6]]


@dataclass
class CourseSpec:
    code: str
    title: str
    category: str
    level: int
    delivery: str
    hours: int
    instructors: str
    summary: str
    # (chapter title, [(lesson title, one-paragraph lead), ...]); a title starting 拓展 is optional
    chapters: list
    sequential: bool = True


L = SkillLevel
D = Delivery
# fmt: off
COURSES = [
    # 工业互联网
    CourseSpec("IIOT-101", "工业互联网平台应用基础", "iiot", L.L5, D.ONLINE, 16, "王立新、陈晓峰",
        "系统介绍工业互联网的体系架构、平台功能与典型应用，帮助一线技术人员建立工业互联网的整体认识。",
        [("第一章 工业互联网体系架构", [
            ("工业互联网的内涵与发展历程", "本课时梳理工业互联网的概念由来、国内外发展路径以及我国“工业互联网创新发展行动计划”的主要任务。"),
            ("网络、平台、安全三大体系", "本课时逐一讲解网络体系、平台体系和安全体系的构成，以及三者之间的关系。")]),
         ("第二章 平台应用与实践", [
            ("工业设备接入与数据采集", "本课时以数控机床和空压机为例，演示设备通过网关接入平台、完成数据点位配置的过程。"),
            ("工业APP开发与部署", "本课时介绍低代码方式开发设备监控类工业APP，并发布到平台供车间使用。"),
            ("拓展阅读：国内主要工业互联网平台概览", "本课时为选修内容，简要比较国内跨行业跨领域平台的定位与特色。")])]),
    CourseSpec("IIOT-201", "工业互联网标识解析技术与应用", "iiot", L.L4, D.BLENDED, 24, "刘海波",
        "讲解标识解析体系的原理、节点建设和企业应用，结合产品追溯案例完成标识注册与解析实操。",
        [("第一章 标识解析体系概述", [
            ("标识解析的基本原理", "本课时讲解标识编码、标识载体和解析系统的工作原理，对比互联网域名系统。"),
            ("国家顶级节点与二级节点", "本课时介绍我国标识解析体系的分层架构，以及二级节点在行业中的作用。")]),
         ("第二章 企业节点建设", [
            ("企业节点部署流程", "本课时按照申请、部署、对接、运维四个步骤讲解企业节点的建设方法。"),
            ("标识在产品追溯中的应用", "本课时以家电零部件为例，演示一物一码的赋码、采集与追溯查询。")])]),
    CourseSpec("IIOT-301", "边缘计算与工业数据采集实战", "iiot", L.L3, D.ONLINE, 32, "赵明远、孙一鸣",
        "面向设备联网与数据治理岗位，讲解边缘网关配置、协议转换、数据清洗和上云的完整流程。",
        [("第一章 工业现场数据采集", [
            ("常见工业通信协议解析", "本课时对比 Modbus、PROFINET、OPC UA 等协议的特点和适用场景。"),
            ("边缘网关选型与配置", "本课时讲解网关的硬件接口、算力和协议支持等选型要点，并完成基本配置。")]),
         ("第二章 边缘数据处理", [
            ("数据清洗与边缘计算规则", "本课时编写过滤、聚合和阈值告警规则，在边缘侧完成数据预处理。"),
            ("数据上云与可视化", "本课时把处理后的数据通过 MQTT 上报平台，并配置设备运行看板。")]),
         ("第三章 综合实训", [
            ("产线数据采集项目实训", "本课时以一条装配线为对象，完成从点位梳理到看板上线的综合实训。")])]),
    # 集成电路
    CourseSpec("IC-101", "集成电路产业概论", "ic", L.ANY, D.ONLINE, 12, "周建华",
        "概述集成电路的发展历史、产业链结构和关键技术，适合刚进入半导体行业的从业人员。",
        [("第一章 产业与技术概览", [
            ("集成电路的发展历程", "本课时从晶体管的发明讲起，介绍摩尔定律和集成电路工艺节点的演进。"),
            ("产业链结构与分工模式", "本课时讲解设计、制造、封装测试环节的分工，以及 IDM 与 Fabless 模式的区别。")]),
         ("第二章 我国集成电路产业", [
            ("国内产业发展现状", "本课时介绍我国集成电路产业的区域布局、重点企业和人才需求。"),
            ("拓展阅读：集成电路相关职业标准", "本课时为选修内容，介绍集成电路工程技术人员国家职业标准的主要内容。")])]),
    CourseSpec("IC-201", "数字集成电路设计与验证", "ic", L.L3, D.BLENDED, 40, "吴晓东、郑思远",
        "讲解数字芯片前端设计流程，涵盖 Verilog 编码、仿真验证、逻辑综合和静态时序分析。",
        [("第一章 RTL 设计", [
            ("Verilog 硬件描述语言基础", "本课时讲解模块、端口、组合逻辑与时序逻辑的 Verilog 描述方法。"),
            ("有限状态机设计", "本课时以交通灯控制器为例，设计并仿真一个三段式状态机。")]),
         ("第二章 验证与综合", [
            ("功能仿真与测试平台搭建", "本课时编写测试平台（testbench），完成激励生成与结果自动比对。"),
            ("逻辑综合与静态时序分析", "本课时使用综合工具生成门级网表，并解读时序报告中的建立与保持时间。")])]),
    CourseSpec("IC-301", "芯片封装与测试工艺", "ic", L.L4, D.OFFLINE, 24, "钱志刚",
        "结合封装测试生产线实际，讲解主流封装形式、关键工序与测试方法，含现场实操。",
        [("第一章 封装工艺", [
            ("主流封装形式与发展趋势", "本课时介绍 QFP、BGA、CSP 以及先进封装技术的结构特点。"),
            ("划片、装片与引线键合", "本课时讲解封装前道工序的工艺参数与常见缺陷。")]),
         ("第二章 测试技术", [
            ("晶圆测试与成品测试", "本课时对比 CP 与 FT 测试的目的、设备和测试程序。"),
            ("可靠性试验方法", "本课时介绍温度循环、高温高湿等可靠性试验及失效分析思路。")])]),
    # 人工智能
    CourseSpec("AI-101", "人工智能基础与行业应用", "ai", L.ANY, D.ONLINE, 16, "李文博",
        "以通俗的方式讲解人工智能的基本概念、主要技术路线和在工业领域的典型应用，可按兴趣自由选学。",
        [("第一章 人工智能基础", [
            ("人工智能的发展与基本概念", "本课时介绍人工智能的三次发展浪潮，以及机器学习、深度学习的基本概念。"),
            ("机器学习的基本流程", "本课时以质量预测为例，讲解数据准备、特征工程、模型训练与评估的流程。")]),
         ("第二章 行业应用", [
            ("人工智能在制造业的应用场景", "本课时梳理质检、预测维护、排产优化等场景的实施要点。"),
            ("人工智能伦理与治理", "本课时介绍算法公平、数据隐私和生成式人工智能管理的相关要求。")])],
        sequential=False),
    CourseSpec("AI-201", "工业机器视觉检测技术", "ai", L.L4, D.BLENDED, 32, "冯立强、许静",
        "面向质检岗位，讲解工业相机与光源选型、图像处理算法和深度学习缺陷检测的工程实践。",
        [("第一章 视觉系统搭建", [
            ("工业相机、镜头与光源选型", "本课时讲解分辨率、视野、工作距离的计算方法和常用打光方式。"),
            ("图像采集与标定", "本课时完成相机标定，消除镜头畸变并建立像素与物理尺寸的对应关系。")]),
         ("第二章 检测算法", [
            ("传统图像处理方法", "本课时使用阈值分割、形态学和模板匹配完成尺寸测量与定位。"),
            ("深度学习缺陷检测", "本课时标注划痕、凹坑等缺陷样本，训练并部署缺陷检测模型。")])]),
    CourseSpec("AI-301", "大模型在制造业的应用实践", "ai", L.L3, D.ONLINE, 24, "韩东升",
        "讲解大语言模型的原理与能力边界，结合设备知识问答、工艺文档生成等场景完成应用开发。",
        [("第一章 大模型原理", [
            ("大语言模型的基本原理", "本课时介绍 Transformer 结构、预训练与指令微调的基本思想。"),
            ("提示词工程方法", "本课时总结角色设定、示例引导和分步推理等提示词设计技巧。")]),
         ("第二章 应用开发", [
            ("检索增强生成与企业知识库", "本课时把设备手册切分、向量化并构建问答系统，减少模型“幻觉”。"),
            ("私有化部署与数据安全", "本课时讨论模型本地部署的算力规划、权限控制和输出审核机制。")])]),
    # 5G与通信
    CourseSpec("5G-101", "5G网络技术基础", "5g", L.L5, D.ONLINE, 16, "马骏",
        "讲解 5G 的关键技术、网络架构和应用场景，为通信运维和行业应用岗位打好基础。",
        [("第一章 5G 关键技术", [
            ("移动通信发展与5G标准", "本课时回顾从 1G 到 5G 的演进过程，介绍 3GPP 标准体系。"),
            ("大规模天线与新空口技术", "本课时讲解 Massive MIMO、波束赋形和灵活帧结构等关键技术。")]),
         ("第二章 网络架构", [
            ("5G网络架构与组网方式", "本课时对比独立组网（SA）与非独立组网（NSA）的特点。"),
            ("网络切片与边缘计算", "本课时介绍网络切片和 MEC 如何满足不同行业的差异化需求。")])]),
    CourseSpec("5G-201", "5G行业专网规划与部署", "5g", L.L3, D.BLENDED, 32, "黄志诚、杨帆",
        "面向园区和工厂 5G 专网项目，讲解需求分析、网络规划、设备部署和验收测试。",
        [("第一章 专网规划", [
            ("行业专网需求分析", "本课时从业务时延、上行带宽和可靠性等维度梳理工厂的网络需求。"),
            ("专网建设模式选择", "本课时比较虚拟专网、混合专网和独立专网的投资与运维差异。")]),
         ("第二章 部署与验收", [
            ("室内分布系统部署", "本课时讲解厂房内小基站点位勘察、安装与调测的方法。"),
            ("专网性能测试与验收", "本课时使用测试终端完成速率、时延和切换成功率等指标测试。"),
            ("5G专网典型案例分析", "本课时剖析港口、钢铁和电子制造企业的 5G 专网案例。")])]),
    CourseSpec("5G-301", "光传输网络运维实务", "5g", L.L4, D.OFFLINE, 24, "林国栋",
        "结合传输机房实操，讲解光纤通信原理、传输设备维护和常见故障处理方法。",
        [("第一章 光传输基础", [
            ("光纤通信原理", "本课时讲解光纤结构、传输损耗和色散等基本概念。"),
            ("OTN与分组传送网", "本课时介绍 OTN、SPN 等传输技术在 5G 承载网中的应用。")]),
         ("第二章 运维实操", [
            ("光功率测试与光纤熔接", "本课时使用光功率计、OTDR 和熔接机完成链路测试与熔接。"),
            ("传输网常见告警处理", "本课时总结 LOS、LOF 等常见告警的定位与处理步骤。")])]),
    # 网络安全
    CourseSpec("SEC-101", "网络安全基础与法律法规", "cybersecurity", L.ANY, D.ONLINE, 12, "潘晓红",
        "介绍网络安全基本概念、常见威胁和我国网络安全法律法规体系，适合全体从业人员学习。",
        [("第一章 网络安全基础", [
            ("网络安全基本概念与常见威胁", "本课时介绍保密性、完整性、可用性三要素以及钓鱼邮件、勒索软件等常见威胁。"),
            ("个人上网安全防护", "本课时讲解口令管理、多因素认证和终端安全的基本做法。")]),
         ("第二章 法律法规", [
            ("网络安全法律法规体系", "本课时解读《网络安全法》《数据安全法》《个人信息保护法》的主要内容。"),
            ("网络安全等级保护制度", "本课时介绍等级保护的定级、备案、建设整改和等级测评流程。")])]),
    CourseSpec("SEC-201", "工业控制系统安全防护", "cybersecurity", L.L2, D.BLENDED, 32, "邓伟、罗晓光",
        "面向工控安全岗位，讲解工控系统面临的安全风险、防护体系建设和应急响应实践。",
        [("第一章 工控安全风险", [
            ("工业控制系统架构与脆弱性", "本课时分析 PLC、DCS、SCADA 系统的典型架构与常见安全漏洞。"),
            ("典型工控安全事件分析", "本课时复盘国内外典型工控安全事件的攻击路径与教训。")]),
         ("第二章 防护体系建设", [
            ("工控网络边界防护", "本课时讲解工业防火墙、单向隔离装置的部署位置与策略配置。"),
            ("工控主机加固与安全监测", "本课时介绍主机白名单、移动介质管控和安全审计系统的使用。")]),
         ("第三章 应急响应", [
            ("工控安全应急预案与演练", "本课时编制应急预案并开展桌面推演，提升事件处置能力。")])]),
    CourseSpec("SEC-301", "数据安全与个人信息保护实务", "cybersecurity", L.L4, D.ONLINE, 20, "唐静怡",
        "围绕数据分类分级、数据出境和个人信息处理合规，讲解企业数据安全治理的落地方法。",
        [("第一章 数据安全治理", [
            ("数据分类分级方法", "本课时依据国家标准开展数据识别、分类和定级，形成数据资产清单。"),
            ("数据全生命周期安全管理", "本课时讲解采集、传输、存储、使用、共享和销毁各环节的控制措施。")]),
         ("第二章 个人信息保护", [
            ("个人信息处理合规要点", "本课时解读告知同意、最小必要和敏感个人信息处理规则。"),
            ("数据安全事件应急处置", "本课时介绍数据泄露事件的发现、报告、处置和复盘流程。")])]),
    # 智能制造
    CourseSpec("SM-101", "智能制造系统概论", "smart-manufacturing", L.L5, D.ONLINE, 16, "曹振宇",
        "概述智能制造的内涵、参考架构和关键技术，帮助企业人员理解智能工厂的建设路径。",
        [("第一章 智能制造概述", [
            ("智能制造的内涵与特征", "本课时介绍智能制造的定义、发展阶段和典型特征。"),
            ("智能制造标准体系与参考架构", "本课时讲解国家智能制造标准体系建设指南和系统层级框架。")]),
         ("第二章 智能工厂建设", [
            ("智能制造能力成熟度评估", "本课时依据 GB/T 39116 完成一次企业能力成熟度自评估。"),
            ("智能工厂典型案例", "本课时分析离散制造和流程制造企业的智能工厂建设实践。")])]),
    CourseSpec("SM-201", "工业机器人操作与编程", "smart-manufacturing", L.L4, D.OFFLINE, 40, "彭辉、袁晓东",
        "在实训工作站上学习工业机器人的安全操作、示教编程和典型工作站应用。",
        [("第一章 机器人基础操作", [
            ("工业机器人安全操作规范", "本课时讲解机器人作业区域、急停装置和示教器的安全使用要求。"),
            ("坐标系与手动操纵", "本课时练习关节、世界和工具坐标系下的手动操纵与点位示教。")]),
         ("第二章 示教编程", [
            ("运动指令与程序结构", "本课时编写直线、圆弧运动程序，掌握程序调用与逻辑判断。"),
            ("搬运码垛工作站编程", "本课时完成搬运码垛工作站的 I/O 配置、程序编写与联调。")])]),
    CourseSpec("SM-301", "数字孪生工厂建模与仿真", "smart-manufacturing", L.L1, D.BLENDED, 36, "蒋立平",
        "面向高级技术人员，讲解数字孪生的建模方法、数据驱动仿真和产线优化决策。",
        [("第一章 数字孪生建模", [
            ("数字孪生技术体系", "本课时介绍几何模型、物理模型、行为模型和规则模型的构成。"),
            ("产线三维建模与数据映射", "本课时完成产线设备建模，并与实时数据点位建立映射关系。")]),
         ("第二章 仿真与优化", [
            ("生产过程仿真分析", "本课时对产线节拍、缓存和瓶颈工位进行离散事件仿真。"),
            ("基于数字孪生的产线优化", "本课时根据仿真结果调整工艺参数，验证产能提升效果。")])]),
    # 工业软件
    CourseSpec("SW-101", "PLC编程与调试入门", "industrial-software", L.L5, D.BLENDED, 24, "胡建军",
        "从电气基础讲起，学习 PLC 的硬件组成、梯形图编程和现场调试方法。",
        [("第一章 PLC 基础", [
            ("PLC 的组成与工作原理", "本课时讲解 CPU、输入输出模块和扫描周期的工作原理。"),
            ("梯形图基本指令", "本课时练习触点、线圈、定时器和计数器指令的使用。")]),
         ("第二章 程序设计与调试", [
            ("电机正反转控制程序设计", "本课时完成电机正反转的互锁控制程序设计与接线。"),
            ("在线监控与故障排查", "本课时使用编程软件在线监控程序，定位输入输出故障。")])]),
    CourseSpec("SW-201", "MES制造执行系统实施", "industrial-software", L.L3, D.ONLINE, 28, "董海涛、谢婷",
        "讲解 MES 的功能模型、实施方法和系统集成，结合离散制造企业案例完成方案设计。",
        [("第一章 MES 功能模型", [
            ("MES 的定位与功能模块", "本课时介绍 MES 在企业信息化架构中的位置以及主要功能模块。"),
            ("生产建模与工艺路线", "本课时建立工厂、车间、产线、工位模型，并配置工艺路线。")]),
         ("第二章 实施与集成", [
            ("生产过程追溯与质量管理", "本课时设计批次追溯和质量检验流程，实现问题产品的快速定位。"),
            ("MES 与 ERP 及设备层集成", "本课时讲解接口设计方法，实现计划下达与报工数据回传。")])]),
    CourseSpec("SW-301", "三维CAD建模与CAE仿真分析", "industrial-software", L.L4, D.ONLINE, 32, "于洋",
        "使用国产三维 CAD/CAE 软件完成零件建模、装配和结构强度仿真分析。",
        [("第一章 三维建模", [
            ("参数化零件建模", "本课时使用草图、拉伸、旋转等特征完成典型机械零件建模。"),
            ("装配设计与工程图", "本课时完成部件装配、干涉检查并生成符合国标的工程图。")]),
         ("第二章 仿真分析", [
            ("有限元分析基础", "本课时介绍网格划分、边界条件和材料属性设置的基本方法。"),
            ("结构静力学仿真实例", "本课时对支架零件进行静力学分析，解读应力和位移云图。")])]),
    # 新能源汽车
    CourseSpec("NEV-101", "新能源汽车结构与原理", "nev", L.L5, D.ONLINE, 16, "宋志远",
        "介绍新能源汽车的类型、整车结构和“三电”系统工作原理，适合汽车维修入门人员。",
        [("第一章 整车认知", [
            ("新能源汽车类型与发展", "本课时介绍纯电动、插电混动和燃料电池汽车的结构差异。"),
            ("高压安全防护常识", "本课时讲解高压部件识别、个人防护用品和安全操作流程。")]),
         ("第二章 三电系统", [
            ("动力电池与电池管理系统", "本课时介绍电池包结构、BMS 功能和热管理方式。"),
            ("驱动电机与电控系统", "本课时讲解永磁同步电机和电机控制器的工作原理。")])]),
    CourseSpec("NEV-201", "动力电池检测与维修", "nev", L.L4, D.OFFLINE, 32, "田宏伟、程丽",
        "在实训车间完成动力电池的拆装、检测、均衡维护与故障诊断，严格执行高压作业规范。",
        [("第一章 检测准备", [
            ("高压断电与验电流程", "本课时按规范完成断开维修开关、等待放电和验电的作业流程。"),
            ("电池包拆装与绝缘检测", "本课时使用举升机拆装电池包，并测量绝缘电阻。")]),
         ("第二章 检测与维修", [
            ("单体一致性检测与均衡", "本课时读取单体电压数据，判断一致性并进行均衡维护。"),
            ("电池常见故障诊断", "本课时结合故障码分析绝缘故障、通信故障和温度异常。")])]),
    CourseSpec("NEV-301", "充电设施安装与运维", "nev", L.L4, D.BLENDED, 20, "邱文杰",
        "讲解交直流充电桩的安装规范、调试方法和日常运维，覆盖社区与公共充电场景。",
        [("第一章 安装与调试", [
            ("充电设施类型与技术标准", "本课时介绍交流桩、直流桩的结构以及 GB/T 20234 系列接口标准。"),
            ("充电桩安装与接线规范", "本课时讲解供电容量核查、电缆选型、接地与防护等级要求。")]),
         ("第二章 运维管理", [
            ("充电桩调试与通信配置", "本课时完成充电桩参数设置，并接入运营管理平台。"),
            ("常见故障排查与巡检", "本课时总结充电中断、通信失败等故障的排查方法和巡检要点。")])]),
]

# fmt: on
VIDEO_BASE = "https://video.example.com/skills"  # placeholder host: replace with a real platform's page URLs

# username, real name, (region code, birth date, sequence), organisation, phone, courses and how far
# fmt: off
LEARNERS = [
    ("learner1", "王志强", ("320583", dt.date(1988, 3, 15), "231"), "昆山精密机械制造有限公司", "13862451937",
     [("IIOT-101", "complete"), ("SM-201", 2)]),
    ("learner2", "李晓燕", ("440305", dt.date(1992, 7, 8), "462"), "深圳华芯微电子科技有限公司", "13923458716",
     [("AI-101", "quiz_retry"), ("IC-101", 1)]),
    ("learner3", "陈建国", ("420111", dt.date(1979, 11, 23), "115"), "武汉光谷通信工程有限公司", "13707163582",
     [("5G-201", 3), ("SEC-101", 0)]),
    ("learner4", "刘婷", ("510107", dt.date(1996, 1, 30), "288"), "成都天府软件园信息技术有限公司", "18980652413",
     [("SW-101", 1), ("IIOT-101", "lessons")]),
    ("learner5", "张伟", ("370202", dt.date(1985, 5, 12), "357"), "青岛海滨家电智能制造有限公司", "15863920174",
     [("NEV-101", 0), ("SEC-201", 2)]),
    ("learner6", "赵敏", ("310104", dt.date(1990, 9, 2), "524"), "上海临港新能源汽车零部件有限公司", "17721586390",
     [("NEV-201", "complete"), ("SM-301", 1)]),
]
# fmt: on
STAFF = [("provider1", "周文静"), ("provider2", "孙浩然"), ("provider3", "何丽萍")]
ORGANISER = ("organiser", "Organiser-2026")
STAFF_PASSWORD = "Provider-2026"  # noqa: S105 - published demo credentials
LEARNER_PASSWORD = "Learner-2026"  # noqa: S105 - published demo credentials


def id_number(region: str, born: dt.date, sequence: str) -> str:
    """A well-formed 身份证号 for a made-up person (odd sequence: male, even: female)."""
    first17 = f"{region}{born:%Y%m%d}{sequence}"
    return first17 + check_digit(first17)


# ------------------------------------------------------------------ report


@dataclass
class Report:
    """What a run added (by kind, for the summary) and the demo logins to print."""

    created: dict = field(default_factory=dict)
    credentials: list = field(default_factory=list)

    def add(self, what: str, n: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + n


# --------------------------------------------------------------- structure


def structure_ensure(report: Report | None = None) -> tuple[dict, dict]:
    """Site tree, categories and providers (with page, collection and group). Returns them by slug."""
    report = report or Report()
    services.catalogue_page_ensure()
    categories = {}
    for sort_order, (slug, name, _colour) in enumerate(CATEGORIES, 1):
        category = Category.objects.filter(Q(slug=slug) | Q(name=name)).first()
        if category is None:
            category = Category.objects.create(slug=slug, name=name, sort_order=sort_order)
            report.add("行业分类")
        categories[slug] = category
    providers = {}
    for spec in PROVIDERS:
        provider = Provider.objects.filter(slug=spec["slug"]).first()
        if provider is None:
            provider = Provider.objects.create(**spec)
            report.add("培训机构")
        services.provider_setup(provider=provider)
        providers[spec["slug"]] = provider
    return categories, providers


# ------------------------------------------------------------------ covers

_FONT_FILES = [
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc", "SC"),
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "SC"),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc", "SC"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", ""),
    ("/System/Library/Fonts/PingFang.ttc", ""),
    ("C:/Windows/Fonts/msyh.ttc", ""),
]


@cache
def _font(size: int):
    """A CJK font if the machine has one; covers are drawn without text otherwise."""
    for path, face in _FONT_FILES:
        for index in range(5):
            try:
                font = ImageFont.truetype(path, size, index=index)
            except OSError:
                break
            if not face or face in " ".join(font.getname()):
                return font
    return None


def _cover_png(title: str, label: str, colour: tuple[int, int, int], seed: int) -> bytes:
    width, height = 480, 270
    image = PILImage.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, c + 45) for c in colour)
    dark = tuple(max(0, c - 35) for c in colour)
    rng = random.Random(seed)  # noqa: S311 - decoration, not security
    for _ in range(3):
        r = rng.randint(60, 150)
        x, y = rng.randint(260, 520), rng.randint(-60, 200)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=light)
    small, big = _font(20), _font(30)
    lines = [title[i : i + 14] for i in range(0, len(title), 14)][:2] if big else []
    bar = 40 + 38 * max(1, len(lines))
    draw.rectangle((0, height - bar, width, height), fill=dark)
    if small and big:
        draw.text((24, 22), label, font=small, fill="white")
        for n, line in enumerate(lines):
            draw.text((24, height - bar + 16 + 38 * n), line, font=big, fill="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def cover_ensure(
    *, title: str, heading: str, label: str, colour, collection, filename: str, report: Report | None = None
):
    """A generated cover image in the provider's collection, found again by its title."""
    Image = get_image_model()
    image = Image.objects.filter(title=title, collection=collection).first()
    if image is None:
        png = _cover_png(heading, label, colour, seed=sum(map(ord, title)))
        image = Image(title=title, collection=collection, file=ImageFile(io.BytesIO(png), name=filename))
        image._set_image_file_metadata()
        image.save()
        if report:
            report.add("封面图片")
    return image


def _colour(category_slug: str):
    return next(c for slug, _name, c in CATEGORIES if slug == category_slug)


# ----------------------------------------------------------------- courses


def _lesson_body(category_slug: str, lead: str, n: int) -> str:
    paragraphs = CATEGORY_TEXT[category_slug]
    return (
        f"<p>{lead}</p>"
        f"<p>{paragraphs[n % len(paragraphs)]}</p>"
        "<h3>学习建议</h3>"
        "<ul><li>先通读本课时内容，标出与本岗位相关的要点。</li>"
        "<li>结合本单位的设备和业务，思考一个可以改进的具体问题。</li></ul>"
    )


def _question_ensure(provider: Provider, external_id: str, spec: dict, knowledge_point: str) -> Question:
    question = Question.objects.filter(provider=provider, external_id=external_id).first()
    if question:
        return question
    options, answer = [], spec.get("answer")
    if spec["kind"] in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        options = [{"id": new_option_id(), "text": text} for text in spec["options"]]
        answer = [options[i]["id"] for i in spec["correct"]]
    question = Question(
        provider=provider,
        external_id=external_id,
        kind=spec["kind"],
        stem=spec["stem"],
        options=options,
        answer=answer,
        explanation=spec["explanation"],
        score=Decimal(10),
        knowledge_point=knowledge_point,
    )
    question.full_clean()
    question.save()
    return question


def course_ensure(
    spec: CourseSpec, *, provider: Provider, category: Category, pick: list[int], report: Report
) -> Course:
    """One hand-written course with its syllabus, final quiz, cover and live page (idempotent)."""
    course = Course.objects.filter(provider=provider, code=spec.code).first()
    if course is not None:
        return course
    course = Course(
        provider=provider,
        code=spec.code,
        title=spec.title,
        category=category,
        level=spec.level,
        hours=spec.hours,
        delivery=spec.delivery,
        instructors=spec.instructors,
        summary=spec.summary,
        sequential=spec.sequential,
    )
    course._skip_reindex = True  # one reindex at the end instead of one per lesson
    course.full_clean()
    course.save()
    n = 0
    for c_order, (chapter_title, lessons) in enumerate(spec.chapters, 1):
        chapter = Chapter(course=course, title=chapter_title, sort_order=c_order)
        chapter._skip_reindex = True
        chapter.save()
        for l_order, (title, lead) in enumerate(lessons, 1):
            lesson = Lesson(
                course=course,
                chapter=chapter,
                title=title,
                sort_order=l_order,
                body=_lesson_body(category.slug, lead, n),
                video_url=f"{VIDEO_BASE}/{slugify(spec.code)}/{n + 1}" if l_order == 1 else "",
                is_required=not title.startswith("拓展"),
                minutes=[30, 45, 40, 35, 50][n % 5],
            )
            lesson._skip_reindex = True
            lesson.save()
            n += 1
            report.add("课时")
    quiz = Quiz.objects.create(
        course=course, title="结业测验", description="完成全部必修课时后参加，成绩达到及格线即可结业。"
    )
    for order, index in enumerate(pick, 1):
        question = _question_ensure(provider, f"{spec.code}-Q{order}", QUESTIONS[category.slug][index], category.name)
        QuizQuestion.objects.create(quiz=quiz, question=question, sort_order=order)
    last_chapter = course.chapters.order_by("-sort_order").first()
    quiz_lesson = Lesson(
        course=course,
        chapter=last_chapter,
        title="结业测验",
        sort_order=last_chapter.lessons.count() + 1,
        body=f"<p>本测验共 {len(pick)} 题，包含单选、多选、判断和填空题，及格线为 {course.pass_mark}%。</p>",
        quiz=quiz,
        minutes=20,
    )
    quiz_lesson._skip_reindex = True
    quiz_lesson.save()
    report.add("课时")
    course.final_quiz = quiz
    course.cover = cover_ensure(
        title=f"{spec.title} 封面",
        heading=spec.title,
        label=f"{category.name} · {provider.short_name}",
        colour=_colour(category.slug),
        collection=provider.collection,
        filename=f"cover-{slugify(spec.code)}.png",
        report=report,
    )
    course.save(update_fields=["final_quiz", "cover"])
    services.course_reindex(course_id=course.pk)
    page = services.course_page_ensure(course=course, publish=False)
    page.body = (
        f"<p>{spec.summary}</p><h3>适合人群</h3><p>{category.name}领域的一线技术人员、班组长和相关专业在校学生。</p>"
        f"<h3>结业要求</h3><p>完成全部必修课时，并在结业测验中达到 {course.pass_mark}% 及格线。</p>"
    )
    page.save_revision().publish()
    report.add("课程")
    return course


# ------------------------------------------------------------------- users


def _user_ensure(username: str, password: str, report: Report, **fields):
    """Create the user once; an existing user keeps its password and profile."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, email=f"{username}@example.com", **fields)
        user.set_password(password)
        user.full_clean()
        user.save()
        report.add("用户")
    return user


def _answers(questions, correct: int) -> QueryDict:
    """Form data answering the first `correct` questions right and leaving the rest blank."""
    data = QueryDict(mutable=True)
    for question in questions[:correct]:
        key = f"q-{question.pk}"
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            data.setlist(key, list(question.answer))
        elif question.kind == QuestionKind.TRUE_FALSE:
            data[key] = "true" if question.answer else "false"
        elif question.kind == QuestionKind.FILL:
            for n, accepted in enumerate(question.answer):
                data[f"{key}-{n}"] = accepted[0]
    return data


def _take_quiz(learner, lesson: Lesson, *, correct: int) -> None:
    attempt = services.quiz_attempt_start(learner=learner, quiz=lesson.quiz, lesson=lesson)
    questions = selectors.attempt_questions(attempt)
    services.quiz_attempt_submit(attempt=attempt, learner=learner, data=_answers(questions, correct))


def progress_ensure(learner, course: Course, plan, report: Report) -> None:
    """Enrol and study as `plan` says: a number of lessons, "lessons" (all but the quiz), "complete"
    or "quiz_retry" (one lesson, a failed then a passed final quiz). Only on first enrolment."""
    if Enrolment.objects.filter(learner=learner, course=course).exists():
        return
    services.enrolment_create(learner=learner, course=course)
    report.add("报名")
    lessons = selectors.ordered_lessons(course.pk)
    text_lessons = [lesson for lesson in lessons if not lesson.quiz_id]
    quiz_lesson = next(lesson for lesson in lessons if lesson.quiz_id == course.final_quiz_id)
    count = {"complete": len(text_lessons), "lessons": len(text_lessons), "quiz_retry": 1}.get(plan, plan)
    for lesson in text_lessons[:count]:
        services.lesson_complete(learner=learner, lesson=lesson)
    if plan == "quiz_retry":
        _take_quiz(learner, quiz_lesson, correct=1)
    if plan in ("complete", "quiz_retry"):
        _take_quiz(learner, quiz_lesson, correct=len(course.final_quiz.quiz_questions.all()))
        report.add("测验记录", 2 if plan == "quiz_retry" else 1)


def users_ensure(providers: dict, report: Report) -> None:
    username, password = ORGANISER
    organiser = _user_ensure(
        username,
        password,
        report,
        real_name="平台管理员",
        organisation="工业和信息化技术技能人才网上学习平台",
        is_staff=True,
        is_superuser=True,
    )
    organiser.groups.add(organiser_group())
    report.credentials.append(("组织者（超级管理员）", username, password))
    for (username, real_name), provider in zip(STAFF, providers.values(), strict=True):
        user = _user_ensure(username, STAFF_PASSWORD, report, real_name=real_name, organisation=provider.name)
        services.provider_member_add(provider=provider, user=user)
        report.credentials.append((f"机构人员 · {provider.short_name}", username, STAFF_PASSWORD))
    courses = {c.code: c for c in Course.objects.filter(provider__in=providers.values()).select_related("final_quiz")}
    for username, real_name, (region, born, seq), organisation, phone, plan in LEARNERS:
        user = _user_ensure(
            username,
            LEARNER_PASSWORD,
            report,
            real_name=real_name,
            organisation=organisation,
            phone=phone,
            id_number=id_number(region, born, seq),
        )
        for code, how_far in plan:
            progress_ensure(user, courses[code], how_far, report)
    report.credentials.append(("学员", f"{LEARNERS[0][0]} … {LEARNERS[-1][0]}", LEARNER_PASSWORD))


# -------------------------------------------------------------------- seed


@transaction.atomic
def demo_seed(*, generated: int = 0, log=None) -> Report:
    """The whole demo: structure, 24 courses, users with progress and `generated` synthetic courses."""
    report = Report()
    categories, providers = structure_ensure(report)
    provider_list = list(providers.values())
    by_category: dict[str, int] = {}
    for spec in COURSES:
        j = by_category.get(spec.category, 0)
        by_category[spec.category] = j + 1
        cat_index = [slug for slug, _n, _c in CATEGORIES].index(spec.category)
        course_ensure(
            spec,
            provider=provider_list[(cat_index + j) % len(provider_list)],
            category=categories[spec.category],
            pick=QUIZ_PICKS[j % len(QUIZ_PICKS)],
            report=report,
        )
    users_ensure(providers, report)
    if generated:
        courses_generate(count=generated, report=report, log=log)
    return report


# ------------------------------------------------------------ bulk courses

GEN_PREFIX = "GEN-"
INDUSTRIES = [
    "钢铁", "石化", "汽车制造", "电子信息", "纺织服装", "装备制造", "电力", "轨道交通", "航空航天",
    "船舶海工", "家电", "生物医药", "建材", "食品加工", "港口物流", "有色金属", "化工", "工程机械",
]  # fmt: skip
TECHNOLOGIES = {
    "iiot": ["标识解析", "边缘计算", "工业数据采集", "设备上云", "工业互联网平台运维"],
    "ic": ["芯片封装测试", "版图设计", "晶圆制造工艺", "模拟电路设计", "EDA工具应用"],
    "ai": ["机器视觉", "大模型应用", "深度学习", "知识图谱", "智能语音"],
    "5g": ["5G专网", "基站运维", "光传输网络", "网络切片", "窄带物联网"],
    "cybersecurity": ["工控安全", "数据安全", "渗透测试", "安全运维", "等级保护测评"],
    "smart-manufacturing": ["数字孪生", "工业机器人", "智能产线", "预测性维护", "精益生产"],
    "industrial-software": ["CAD建模", "CAE仿真", "PLC编程", "工业APP开发", "MES实施"],
    "nev": ["动力电池", "电驱系统", "整车控制器", "充电设施", "智能网联汽车"],
}
ROLES = ["工程师", "技术员", "运维人员", "班组长", "技师"]
TITLE_PATTERNS = [
    "面向{industry}的{tech}实践",
    "{tech}在{industry}行业的应用",
    "{industry}企业{tech}技术实训",
    "{tech}{role}能力提升",
    "{industry}数字化转型中的{tech}",
    "{tech}典型案例解析（{industry}篇）",
]
# Words that only ever appear in generated lesson titles, so a search for them proves lesson titles count.
LESSON_ONLY = ["典型故障复盘", "常见问题答疑", "项目验收方法", "现场作业指导"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = ["建国", "海燕", "志强", "文静", "立新", "晓峰", "明远", "丽萍", "振宇", "思远", "国栋", "婷婷"]


def generated_code(i: int) -> str:
    return f"{GEN_PREFIX}{i:05d}"


def _search_text(parts) -> str:
    """The same text services.course_reindex() stores, built without a query per course."""
    return "\n".join(normalise_search(p) for p in parts if p)


def courses_generate(*, count: int, report: Report | None = None, log=None, batch: int = 1000) -> int:
    """Make sure `count` generated courses (GEN-00001…) exist, each with two chapters, four lessons,
    a cover and a live page. Rows are written in bulk; returns how many were created."""
    report = report or Report()
    categories, providers = structure_ensure(report)
    provider_list = list(providers.values())
    cat_slugs = [slug for slug, _n, _c in CATEGORIES]
    covers = {
        (p.pk, slug): cover_ensure(
            title=f"{categories[slug].name}课程封面（{p.short_name}）",
            heading=f"{categories[slug].name}",
            label=p.short_name,
            colour=_colour(slug),
            collection=p.collection,
            filename=f"cover-{p.slug}-{slug}.png",
            report=report,
        )
        for p in provider_list
        for slug in cat_slugs
    }
    existing = set(Course.objects.filter(code__startswith=GEN_PREFIX).values_list("code", flat=True))
    todo = [i for i in range(1, count + 1) if generated_code(i) not in existing]
    now = timezone.now()
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        with transaction.atomic():
            _generate_chunk(chunk, provider_list, categories, cat_slugs, covers, now)
        report.add("生成课程", len(chunk))
        if log:
            log(f"  生成课程 {chunk[-1]}/{count}")
    return len(todo)


def _generate_chunk(indexes, provider_list, categories, cat_slugs, covers, now) -> None:
    plans = []
    for i in indexes:
        rng = random.Random(i)  # noqa: S311 - deterministic demo data
        slug = cat_slugs[i % len(cat_slugs)]
        provider = provider_list[i % len(provider_list)]
        industry, tech = rng.choice(INDUSTRIES), rng.choice(TECHNOLOGIES[slug])
        title = rng.choice(TITLE_PATTERNS).format(industry=industry, tech=tech, role=rng.choice(ROLES))
        chapters = [
            (f"第一章 {tech}基础", [f"{tech}的基本概念与发展趋势", f"{tech}关键技术与标准规范"]),
            (f"第二章 {industry}场景实训", [f"{industry}典型应用场景分析", f"{tech}{rng.choice(LESSON_ONLY)}"]),
        ]
        summary = (
            f"本课程面向{industry}企业的一线技术人员和管理人员，围绕{tech}的核心概念、关键技术和典型应用展开，"
            f"结合{industry}行业的真实案例讲解实施方法与注意事项，帮助学员提升岗位实操能力。"
        )
        instructors = "、".join(rng.choice(SURNAMES) + rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))
        course = Course(
            provider=provider,
            code=generated_code(i),
            title=title,
            category=categories[slug],
            level=rng.choice(SkillLevel.values),
            hours=rng.choice([8, 12, 16, 24, 32, 40]),
            delivery=rng.choice(Delivery.values),
            instructors=instructors,
            summary=summary,
            cover=covers[(provider.pk, slug)],
        )
        lesson_titles = [t for _c, ts in chapters for t in ts]
        course.search_text = _search_text(
            [title, course.code, summary, instructors, provider.name, provider.short_name, categories[slug].name]
            + [c for c, _ts in chapters]
            + lesson_titles
        )
        published = now - dt.timedelta(hours=i * 7 % (24 * 700), minutes=i % 60)
        plans.append((course, chapters, slug, published))
    created = Course.objects.bulk_create([course for course, *_rest in plans])
    chapter_rows = []
    for course, chapters, _slug, _p in plans:
        for order, (title, _lessons) in enumerate(chapters, 1):
            chapter_rows.append(Chapter(course=course, title=title, sort_order=order))
    Chapter.objects.bulk_create(chapter_rows)
    lesson_rows, it = [], iter(chapter_rows)
    for course, chapters, slug, _p in plans:
        for _title, lessons in chapters:
            chapter = next(it)
            for order, title in enumerate(lessons, 1):
                lead = f"本课时讲解“{title}”，结合{course.title}的学习目标展开。"
                lesson_rows.append(
                    Lesson(
                        course=course,
                        chapter=chapter,
                        title=title,
                        sort_order=order,
                        body=_lesson_body(slug, lead, order),
                        minutes=30 + 5 * order,
                    )
                )
    Lesson.objects.bulk_create(lesson_rows)
    course_pages_bulk(created, published_at=[p for *_rest, p in plans])


def course_pages_bulk(courses: list[Course], *, published_at: list[dt.datetime]) -> list[CoursePage]:
    """Give each course a live CoursePage with a published revision, written in bulk.

    Produces what course_page_ensure() + publish would (tree path, slug, url_path, live revision,
    search index entry) at thousands of pages a second instead of ~30: no per-page validation, log
    entry or queued task. Only for new courses of providers whose page exists; call inside a transaction.
    """
    page_type = ContentType.objects.get_for_model(CoursePage)
    base_type = ContentType.objects.get_for_model(Page)
    by_provider: dict[int, list] = {}
    for course, when in zip(courses, published_at, strict=True):
        by_provider.setdefault(course.provider_id, []).append((course, when))
    pages = []
    for provider_id, items in by_provider.items():
        parent = ProviderPage.objects.get(provider_id=provider_id)
        last = parent.get_last_child()
        position = last._get_lastpos_in_path() if last else 0
        for k, (course, when) in enumerate(items, 1):
            slug = slugify(course.code) or f"course-{course.pk}"
            pages.append(
                CoursePage(
                    course=course,
                    title=course.title,
                    draft_title=course.title,
                    slug=slug,
                    path=Page._get_path(parent.path, parent.depth + 1, position + k),
                    depth=parent.depth + 1,
                    numchild=0,
                    url_path=f"{parent.url_path}{slug}/",
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=when,
                    last_published_at=when,
                    latest_revision_created_at=when,
                    locale_id=parent.locale_id,
                    content_type=page_type,
                )
            )
        Page.objects.filter(pk=parent.pk).update(numchild=F("numchild") + len(items))
    # Page is the concrete base, so it bulk-creates the shared rows; the CoursePage rows follow.
    Page.objects.bulk_create(pages, batch_size=500)
    fields = CoursePage._meta.local_concrete_fields
    for page in pages:
        page.page_ptr_id = page.id
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - quoted identifiers, values are parameters
        qn(CoursePage._meta.db_table), ", ".join(qn(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [[f.get_db_prep_save(getattr(p, f.attname), connection) for f in fields] for p in pages]
        )
    revisions = Revision.objects.bulk_create(
        [
            Revision(
                content_type=page_type,
                base_content_type=base_type,
                object_id=str(page.pk),
                created_at=page.first_published_at,
                object_str=page.title,
                content=page.serializable_data(),
            )
            for page in pages
        ],
        batch_size=500,
    )
    for page, revision in zip(pages, revisions, strict=True):
        page.latest_revision_id = page.live_revision_id = revision.pk
    # One UPDATE … FROM subquery instead of a CASE per row (bulk_update is slower here).
    revision_of = Revision.objects.filter(base_content_type=base_type, object_id=Cast(OuterRef("pk"), CharField()))
    revision_of = Subquery(revision_of.order_by("-pk").values("pk")[:1])
    Page.objects.filter(pk__in=[p.pk for p in pages]).update(
        latest_revision_id=revision_of, live_revision_id=revision_of
    )
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(CoursePage, pages)
    return pages
